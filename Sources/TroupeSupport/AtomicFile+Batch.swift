import Foundation

extension AtomicFile {
    /// Many files, each appearing whole or not at all, for the price of one flush: temp files
    /// are written as they come (from any thread), then `commit` flushes them together
    /// (`syncfs` on each folder's file system), renames each over its target and flushes each
    /// folder once: a report writes thousands of posters, and an fsync per file and per
    /// folder would make flushing most of its time.
    public final class Batch: Sendable {
        private let staged = Locked<[Staged]>([])

        struct Staged: Sendable {
            var temp: String
            var path: String
        }

        public init() {}

        /// Writes `bytes` beside `path` under a temporary name: not flushed, not yet visible.
        public func stage(_ bytes: [UInt8], as path: String) throws(WriteError) {
            let temp = TemporaryFiles.path(beside: path)
            let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw .errno(path) }
            defer { close(fd) }
            do { try AtomicFile.writeAll(bytes, count: bytes.count, to: fd, path: path) } catch {
                unlink(temp)
                throw error
            }
            staged.withLock { $0.append(Staged(temp: temp, path: path)) }
        }

        /// Flushes every staged file, then renames each over its target.
        public func commit() throws(WriteError) {
            let files = staged.withLock { staged in
                defer { staged = [] }
                return staged
            }
            let folders = Set(files.map { ($0.path as NSString).deletingLastPathComponent })
            for folder in folders {
                let fd = open(folder.isEmpty ? "." : folder, O_RDONLY | O_CLOEXEC)
                let flushed = fd >= 0 && syncFileSystem.map { $0(fd) == 0 } ?? false
                if fd >= 0 { close(fd) }
                // Where the file system cannot be flushed as a whole, each file is.
                if !flushed {
                    for f in files where (f.path as NSString).deletingLastPathComponent == folder {
                        let file = open(f.temp, O_RDONLY | O_CLOEXEC)
                        guard file >= 0, fsync(file) == 0 else {
                            if file >= 0 { close(file) }
                            throw .errno(f.path)
                        }
                        close(file)
                    }
                }
            }
            for f in files where rename(f.temp, f.path) != 0 {
                throw .errno(f.path)
            }
            for folder in folders { AtomicFile.syncFolder(folder) }
        }

        /// Temp files never committed (an error elsewhere) are removed.
        deinit {
            for f in staged.withLock({ $0 }) { unlink(f.temp) }
        }
    }
}

/// syncfs(2), found at run time: Glibc's Swift module leaves it out (it is declared for
/// _GNU_SOURCE only). Without it, `Batch` flushes file by file.
private let syncFileSystem: (@convention(c) (Int32) -> Int32)? = {
    guard let symbol = dlsym(nil, "syncfs") else { return nil }
    return unsafeBitCast(symbol, to: (@convention(c) (Int32) -> Int32).self)
}()
