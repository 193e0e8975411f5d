import Foundation
import TroupeSupport

/// TroupeSupport's atomic writes, failing with `MediaError`. Media never makes folders: a
/// missing output folder is reported, as a mistyped `-o` should be.
extension AtomicFile {
    static func writeMedia(_ data: Data, to path: String) throws(MediaError) {
        do { try write(data, to: path, makingFolder: false) } catch { throw .writing(error) }
    }

    /// Commits a file FFmpeg wrote under `temporary`.
    static func commitMedia(temporary: String, to path: String) throws(MediaError) {
        do { try commit(temporary: temporary, to: path) } catch { throw .writing(error) }
    }
}

extension MediaError {
    static func writing(_ failure: AtomicFile.WriteError) -> MediaError {
        .writeFailed(path: failure.path, reason: failure.reason)
    }
}
