import Foundation

/// What one `stat` says about a file.
public struct FileStat: Sendable, Equatable {
    public var size: Int64
    public var mtimeNanos: Int64
    public var inode: UInt64
    public var device: UInt64
    public var isRegularFile: Bool
}

/// Remembers each file's stat for the length of one command, so the loader's existence
/// check, the media checks and the digest cache share one `stat` per file: a campaign may
/// name 10,000 files, and three stats each were a tenth of a re-plan.
public final class FileStats: @unchecked Sendable {
    private var known: [String: FileStat?] = [:]
    private let lock = NSLock()

    public init() {}

    /// The file's stat, or nil when it does not exist or cannot be reached.
    public func lookup(_ path: String) -> FileStat? {
        lock.lock()
        if let hit = known[path] { lock.unlock(); return hit }
        lock.unlock()
        let fresh = Self.statNow(path)
        lock.lock()
        known[path] = .some(fresh)
        lock.unlock()
        return fresh
    }

    public static func statNow(_ path: String) -> FileStat? { statFile(path) }
}

private func statFile(_ path: String) -> FileStat? {
    var st = stat()
    guard stat(path, &st) == 0 else { return nil }
    return FileStat(size: Int64(st.st_size),
                    mtimeNanos: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec),
                    inode: UInt64(st.st_ino), device: UInt64(st.st_dev), isRegularFile: (st.st_mode & S_IFMT) == S_IFREG)
}
