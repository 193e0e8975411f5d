import Foundation

/// Writes a file so that readers see the old content or the new, never a mix: write to a
/// temporary file in the same folder (`TemporaryFiles`), fsync it, rename it over the target,
/// fsync the folder.
public enum AtomicFile {
    public struct WriteError: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "cannot write '\(path)': \(reason)" }

        public init(path: String, reason: String) {
            self.path = path
            self.reason = reason
        }

        /// The reason errno gives now.
        static func errno(_ path: String, _ prefix: String = "") -> WriteError {
            WriteError(path: path, reason: prefix + String(cString: strerror(Foundation.errno)))
        }
    }

    /// Writes `bytes` to `path`, making its folder first unless `makingFolder` is false
    /// (then a missing folder is an error).
    public static func write(_ bytes: some Collection<UInt8>, to path: String, makingFolder: Bool = true) throws(WriteError) {
        let dir = (path as NSString).deletingLastPathComponent
        if makingFolder { try makeFolder(dir) }
        let temp = TemporaryFiles.path(beside: path)
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .errno(path) }
        var ok = false
        defer {
            if !ok { unlink(temp) }
        }
        do {
            defer { close(fd) }
            let array = Array(bytes)
            try writeAll(array, count: array.count, to: fd, path: path)
            guard fsync(fd) == 0 else { throw WriteError.errno(path) }
        }
        guard rename(temp, path) == 0 else { throw .errno(path) }
        ok = true
        syncFolder(dir)
    }

    /// Makes a file written elsewhere under `temporary` (by a library that writes by path)
    /// durable, then renames it over `path`; the temporary file is removed on failure.
    public static func commit(temporary: String, to path: String) throws(WriteError) {
        let fd = open(temporary, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .errno(path) }
        let failure = fsync(fd) == 0 ? nil : WriteError.errno(path, "fsync: ")
        close(fd)
        if let failure {
            unlink(temporary)
            throw failure
        }
        guard rename(temporary, path) == 0 else {
            let error = WriteError.errno(path)
            unlink(temporary)
            throw error
        }
        syncFolder((path as NSString).deletingLastPathComponent)
    }

    /// Copies `source` to `path` the same way (temp, fsync, rename), in the kernel where it
    /// can (sendfile: no bytes through user space). The folder is not fsynced: this is
    /// for files derived from others (exports), which the next run checks and makes again.
    public static func copy(_ source: String, to path: String) throws(WriteError) {
        let dir = (path as NSString).deletingLastPathComponent
        try makeFolder(dir)
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw .errno(path, "cannot read '\(source)': ") }
        defer { close(input) }
        let temp = TemporaryFiles.path(beside: path)
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .errno(path) }
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
                if n > 0 { try writeAll(buffer, count: n, to: fd, path: path) }
            }
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                throw .errno(path)
            }
        }
        guard fsync(fd) == 0 else { throw .errno(path) }
        guard rename(temp, path) == 0 else { throw .errno(path) }
        ok = true
    }

    /// Writes the first `count` bytes, retrying after signals and short writes.
    static func writeAll(_ bytes: [UInt8], count: Int, to fd: Int32, path: String) throws(WriteError) {
        var written = 0
        while written < count {
            let n = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress! + written, count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .errno(path)
            }
            written += n
        }
    }

    /// fsync on a folder, so a rename in it survives a crash; best effort.
    static func syncFolder(_ dir: String) {
        let fd = open(dir.isEmpty ? "." : dir, O_RDONLY | O_CLOEXEC)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
    }
}
