import Crypto
import Foundation
import TroupeManifest
import TroupePlan

/// Content-addressed files: `.troupe/cache/sha256/ab/cdef…`. Objects arrive through a temp
/// folder on the same file system and are renamed into place after fsync, so a crash never
/// leaves a partial object under its name.
public struct ResultCache: Sendable {
    public let root: String
    public var temporaryDirectory: String { root + "/tmp" }

    public init(stateDirectory: String) {
        root = stateDirectory + "/cache"
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public func path(of sha256: String) -> String {
        "\(root)/sha256/\(sha256.prefix(2))/\(sha256.dropFirst(2))"
    }

    /// A plain stat: a finished 10,000-job campaign asks this for every job on every run.
    public func contains(_ sha256: String) -> Bool { FileStats.statNow(path(of: sha256)) != nil }

    /// A fresh path in the temp folder for a job to write its output to.
    public func temporaryFile(extension ext: String = "mp4") throws -> String {
        try AtomicFile.makeFolder(temporaryDirectory)
        return "\(temporaryDirectory)/\(UUID().uuidString).\(ext)"
    }

    /// Hashes a finished file and moves it into the cache; returns its digest and size.
    @discardableResult
    public func ingest(_ file: String) throws -> (sha256: String, bytes: Int) {
        let sha = try DigestCache.hashFile(file)
        let size = Int(FileStats.statNow(file)?.size ?? 0)
        let fd = open(file, O_RDONLY | O_CLOEXEC)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
        try adopt(file, sha256: sha)
        return (sha, size)
    }

    /// Moves a file that is already durable and whose digest is known (a download hashed and
    /// fsynced as it arrived) into the cache: no second read, no second fsync.
    public func adopt(_ file: String, sha256 sha: String) throws {
        let target = path(of: sha)
        // Plain mkdir and stat: FileManager's cost more than a small file's write.
        let folder = (target as NSString).deletingLastPathComponent
        if mkdir(folder, 0o755) != 0 && errno != EEXIST {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        if FileStats.statNow(target) != nil {
            unlink(file)
        } else if rename(file, target) != 0 {
            throw Failure(description: "cannot move \(file) into the cache: \(String(cString: strerror(errno)))")
        }
    }

    /// True when the object exists and still hashes to its name.
    public func verify(_ sha256: String) -> Bool {
        guard contains(sha256), let actual = try? DigestCache.hashFile(path(of: sha256)) else { return false }
        return actual == sha256
    }

    /// Every object digest in the cache.
    public func objects() -> [String] {
        let base = root + "/sha256"
        guard let dirs = try? FileManager.default.contentsOfDirectory(atPath: base) else { return [] }
        var out: [String] = []
        for d in dirs where d.count == 2 {
            for f in (try? FileManager.default.contentsOfDirectory(atPath: base + "/" + d)) ?? [] where f.count == 62 {
                out.append(d + f)
            }
        }
        return out
    }

    /// Copies an object to `destination` atomically (temp + fsync + rename). A copy, not a
    /// link: a player or editor that writes to an exported file must not alter the cache.
    public func export(_ sha256: String, to destination: String) throws {
        try AtomicFile.copy(path(of: sha256), to: destination)
    }
}
