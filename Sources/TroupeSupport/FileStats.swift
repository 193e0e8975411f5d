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
/// name 10,000 files, and a re-plan should not stat each three times.
public final class FileStats: Sendable {
    private let known = Locked<[String: FileStat?]>([:])

    public init() {}

    /// The file's stat, or nil when it does not exist or cannot be reached.
    public func lookup(_ path: String) -> FileStat? {
        if let hit = known.withLock({ $0[path] }) { return hit }
        let fresh = Self.statNow(path)
        known.withLock { $0[path] = .some(fresh) }
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
