import Crypto
import Foundation
public import TroupeSupport

/// SHA-256 of local media, remembered in `.troupe/digests` by (path, size, mtime, inode) so
/// that re-planning a large campaign does not re-read gigabytes. A changed file changes its
/// stat and is hashed again; a corrupt cache file is discarded with a warning.
public final class DigestCache: @unchecked Sendable {
    private struct Entry {
        var size: Int64
        var mtimeNanos: Int64
        var inode: UInt64
        var sha256: String
    }

    public let file: String
    private var entries: [String: Entry] = [:]
    private var dirty = false
    private let lock = NSLock()
    public private(set) var warnings: [String] = []
    /// Files read and hashed in this run (not served from the cache).
    public private(set) var hashedFiles = 0

    static let header = "troupe-digests 1"

    /// Stats shared with the loader; nil stats every call.
    private let stats: FileStats?

    public init(directory: String, stats: FileStats? = nil) {
        file = directory + "/digests"
        self.stats = stats
        load()
    }

    public struct Failure: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "cannot read '\(path)': \(reason)" }
    }

    /// The file's SHA-256 (hex), from the cache when its stat is unchanged. Without shared
    /// `stats` every call stats the file, so a change between two calls is noticed; with
    /// them, once per command.
    public func digest(ofFile path: String) throws -> String {
        guard let st = stats?.lookup(path) ?? FileStats.statNow(path) else {
            throw Failure(path: path, reason: "it does not exist or cannot be reached")
        }
        guard st.isRegularFile else { throw Failure(path: path, reason: "not a regular file") }
        lock.lock()
        let cached = entries[path]
        lock.unlock()
        if let e = cached, e.size == st.size, e.mtimeNanos == st.mtimeNanos, e.inode == st.inode {
            return e.sha256
        }
        let hex = try Self.hashFile(path)
        lock.lock()
        entries[path] = Entry(size: st.size, mtimeNanos: st.mtimeNanos, inode: st.inode, sha256: hex)
        dirty = true
        hashedFiles += 1
        lock.unlock()
        return hex
    }

    /// SHA-256 (hex) of a file's bytes, read in 1 MiB pieces.
    public static func hashFile(_ path: String) throws -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var hasher = SHA256()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(path: path, reason: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
        return Hex.lowercase(hasher.finalize())
    }

    /// Parses the cache file byte by byte: it holds a line per medium, so a big campaign has
    /// tens of thousands of them.
    private func load() {
        guard let data = FileManager.default.contents(atPath: file) else { return }
        let bytes = [UInt8](data)
        let header = Array(Self.header.utf8)
        guard bytes.starts(with: header + [UInt8(ascii: "\n")]) else {
            corrupt()
            return
        }
        var i = header.count + 1
        func field(_ end: UInt8) -> ArraySlice<UInt8>? {
            let start = i
            while i < bytes.count, bytes[i] != end, bytes[i] != UInt8(ascii: "\n") || end == UInt8(ascii: "\n") { i += 1 }
            guard i < bytes.count || end == UInt8(ascii: "\n"), i == bytes.count || bytes[i] == end else { return nil }
            defer { i += 1 }
            return bytes[start..<i]
        }
        func number<T: FixedWidthInteger>(_ s: ArraySlice<UInt8>?) -> T? {
            guard let s, !s.isEmpty else { return nil }
            var v: T = 0
            for b in s {
                guard b >= 48, b <= 57 else { return nil }
                let (m, o1) = v.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(T(b - 48))
                if o1 || o2 { return nil }
                v = a
            }
            return v
        }
        let space = UInt8(ascii: " ")
        while i < bytes.count {
            // sha256 size mtime inode path — the path last, since it may hold spaces.
            guard let sha = field(space), sha.count == 64,
                  sha.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }),
                  let size: Int64 = number(field(space)), let mtime: Int64 = number(field(space)),
                  let inode: UInt64 = number(field(space)), let path = field(UInt8(ascii: "\n")), !path.isEmpty else {
                corrupt()
                return
            }
            entries[String(decoding: path, as: UTF8.self)] =
                Entry(size: size, mtimeNanos: mtime, inode: inode, sha256: String(decoding: sha, as: UTF8.self))
        }
    }

    private func corrupt() {
        entries = [:]
        dirty = true
        warnings.append("digest cache \(file) is unreadable; rebuilding it (media will be re-hashed once)")
    }

    /// Writes the cache if anything changed (atomically).
    public func save() throws {
        lock.lock()
        defer { lock.unlock() }
        guard dirty else { return }
        var text = Self.header + "\n"
        for (path, e) in entries.sorted(by: { $0.key < $1.key }) where !path.contains("\n") {
            text += "\(e.sha256) \(e.size) \(e.mtimeNanos) \(e.inode) \(path)\n"
        }
        // Inside the project's .troupe/, never through a symlink (a cache: skipped, not an error).
        guard (try? ProjectFolder(stateDirectory: (file as NSString).deletingLastPathComponent).checkWritable(file)) != nil else { return }
        try AtomicFile.write(Array(text.utf8), to: file)
        dirty = false
    }
}
