import Foundation

/// Temp file + fsync + rename, so an output either appears whole or not at all.
enum AtomicFile {
    /// A hidden temp path in the same folder as `path` (same file system, so rename is atomic).
    static func tempPath(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        let name = ".\(url.deletingPathExtension().lastPathComponent).tmp-\(UUID().uuidString.prefix(8)).\(url.pathExtension)"
        return url.deletingLastPathComponent().appendingPathComponent(name).path
    }

    /// Flushes `temp` to disk and renames it over `path`.
    static func commit(_ temp: String, to path: String) throws(MediaError) {
        let fd = open(temp, O_RDONLY)
        guard fd >= 0 else { throw .writeFailed(path: path, reason: String(cString: strerror(errno))) }
        let synced = fsync(fd)
        close(fd)
        guard synced == 0 else {
            unlink(temp)
            throw .writeFailed(path: path, reason: "fsync: \(String(cString: strerror(errno)))")
        }
        guard rename(temp, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temp)
            throw .writeFailed(path: path, reason: reason)
        }
        let dir = open(URL(fileURLWithPath: path).deletingLastPathComponent().path, O_RDONLY)
        if dir >= 0 { _ = fsync(dir); close(dir) }
    }

    /// Writes bytes atomically.
    static func write(_ data: Data, to path: String) throws(MediaError) {
        let temp = tempPath(for: path)
        do { try data.write(to: URL(fileURLWithPath: temp)) } catch {
            unlink(temp)
            throw .writeFailed(path: path, reason: error.localizedDescription)
        }
        try commit(temp, to: path)
    }
}
