import Crypto
import Foundation
import TroupeSupport

/// Streams a download into a temporary file beside the destination (`TemporaryFiles`), hashing as it goes;
/// `commit` fsyncs and renames so the destination is either absent or complete. A `fresh`
/// destination (a new private name only the caller knows) is written in place instead: it
/// is removed on failure, so it too is absent or complete when the download returns.
final class DownloadSink: @unchecked Sendable {
    let destination: String
    let temporary: String
    private var descriptor: Int32
    private var hasher = SHA256()
    private(set) var bytes = 0
    private(set) var failure: HTTPError?

    init(destination: String, fresh: Bool = false) throws(HTTPError) {
        self.destination = destination
        temporary = fresh ? destination : TemporaryFiles.path(beside: destination)
        // A fresh name must not exist: O_EXCL proves nobody else has it.
        descriptor = open(temporary, O_WRONLY | O_CREAT | (fresh ? O_EXCL : O_TRUNC) | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw .io("cannot create \(temporary): \(String(cString: strerror(errno)))")
        }
    }

    deinit { discard() }

    /// Closes and removes the temporary file (a failed or cancelled download).
    func discard() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
        unlink(temporary)
    }

    func write(_ chunk: UnsafeRawBufferPointer) -> Bool {
        hasher.update(bufferPointer: chunk)
        var offset = 0
        while offset < chunk.count {
            let written = Foundation.write(descriptor, chunk.baseAddress! + offset, chunk.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                failure = .io("writing \(temporary): \(String(cString: strerror(errno)))")
                return false
            }
            offset += written
        }
        bytes += chunk.count
        return true
    }

    /// Makes the file durable under its final name and returns its digest.
    func commit() throws(HTTPError) -> (sha256: String, bytes: Int) {
        guard fsync(descriptor) == 0 else { throw .io("fsync \(temporary): \(String(cString: strerror(errno)))") }
        close(descriptor)
        descriptor = -1
        guard temporary == destination || rename(temporary, destination) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw .io("rename to \(destination): \(reason)")
        }
        let digest = Hex.lowercase(hasher.finalize())
        return (digest, bytes)
    }
}
