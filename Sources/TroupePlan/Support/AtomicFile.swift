import Foundation

/// Writes a file so that readers see the old content or the new, never a mix: write to a
/// temporary file in the same folder, fsync it, rename it over the target, fsync the folder.
public enum AtomicFile {
    public struct WriteError: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "cannot write '\(path)': \(reason)" }
    }

    public static func write(_ bytes: some Collection<UInt8>, to path: String) throws {
        let dir = (path as NSString).deletingLastPathComponent
        try makeFolder(dir)
        let temp = temporaryName(beside: path)
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw WriteError(path: path, reason: String(cString: strerror(errno))) }
        var ok = false
        defer {
            if !ok { unlink(temp) }
        }
        let array = Array(bytes)
        var written = 0
        while written < array.count {
            let n = array.withUnsafeBytes { buf in
                Foundation.write(fd, buf.baseAddress! + written, array.count - written)
            }
            if n < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                close(fd)
                throw WriteError(path: path, reason: reason)
            }
            written += n
        }
        guard fsync(fd) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw WriteError(path: path, reason: reason)
        }
        close(fd)
        guard rename(temp, path) == 0 else { throw WriteError(path: path, reason: String(cString: strerror(errno))) }
        ok = true
        let dfd = open(dir.isEmpty ? "." : dir, O_RDONLY | O_CLOEXEC)
        if dfd >= 0 {
            fsync(dfd)
            close(dfd)
        }
    }

    /// Copies `source` to `path` the same way (temp, fsync, rename), in the kernel where it
    /// can (sendfile: no bytes through user space). The folder is not fsynced: this is
    /// for files derived from others (exports), which the next run checks and makes again.
    public static func copy(_ source: String, to path: String) throws {
        let dir = (path as NSString).deletingLastPathComponent
        try makeFolder(dir)
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw WriteError(path: path, reason: "cannot read '\(source)': \(String(cString: strerror(errno)))") }
        defer { close(input) }
        let temp = temporaryName(beside: path)
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw WriteError(path: path, reason: String(cString: strerror(errno))) }
        var ok = false
        defer {
            close(fd)
            if !ok { unlink(temp) }
        }
        var inKernel = true
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            var n = inKernel ? sendfile(fd, input, nil, 1 << 30) : -1
            if n < 0 && inKernel && [EXDEV, ENOSYS, EINVAL, EOPNOTSUPP].contains(errno) {
                inKernel = false  // another file system or an old kernel: through a buffer
            }
            if !inKernel {
                n = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress!, $0.count) }
                if n > 0 {
                    var written = 0
                    while written < n {
                        let w = buffer.withUnsafeBytes { Foundation.write(fd, $0.baseAddress! + written, n - written) }
                        if w < 0 && errno != EINTR { throw WriteError(path: path, reason: String(cString: strerror(errno))) }
                        written += max(0, w)
                    }
                }
            }
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                throw WriteError(path: path, reason: String(cString: strerror(errno)))
            }
        }
        guard fsync(fd) == 0 else { throw WriteError(path: path, reason: String(cString: strerror(errno))) }
        guard rename(temp, path) == 0 else { throw WriteError(path: path, reason: String(cString: strerror(errno))) }
        ok = true
    }

    /// A fresh name in `path`'s folder for a file that is renamed over `path` once complete.
    public static func temporaryName(beside path: String) -> String {
        path + ".tmp-" + uniqueName()
    }

    /// mkdir -p, with one plain mkdir when the parent exists (FileManager's costs more than a
    /// small file's write).
    public static func makeFolder(_ dir: String) throws {
        let dir = dir.isEmpty ? "." : dir
        if mkdir(dir, 0o755) == 0 || errno == EEXIST { return }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    /// `makeFolder`, once per folder per process: a run asks for its temp folder once per job.
    public static func makeFolderOnce(_ dir: String) throws {
        if MadeFolders.shared.contains(dir) { return }
        try makeFolder(dir)
        MadeFolders.shared.insert(dir)
    }

    /// A name no other temp file has: this process's pid and a random number drawn once (a
    /// killed run's leftovers may carry a reused pid, in a container often the same one), then
    /// a counter, so no random bytes (a syscall each) per name.
    public static func uniqueName() -> String {
        UniqueNames.shared.next()
    }
}

/// Folders this process has made or found.
private final class MadeFolders: @unchecked Sendable {
    static let shared = MadeFolders()
    private let lock = NSLock()
    private var folders: Set<String> = []

    func contains(_ dir: String) -> Bool { lock.withLock { folders.contains(dir) } }
    func insert(_ dir: String) { _ = lock.withLock { folders.insert(dir) } }
}

/// `uniqueName`'s per-process prefix and counter.
private final class UniqueNames: @unchecked Sendable {
    static let shared = UniqueNames()
    private let prefix = "\(getpid())-\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
    private let lock = NSLock()
    private var counter = 0

    func next() -> String {
        let n = lock.withLock {
            counter += 1
            return counter
        }
        return "\(prefix)-\(n)"
    }
}
