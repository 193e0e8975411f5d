import Foundation
import TroupeManifest
import TroupePlan
public import TroupeSupport

/// Content-addressed files: `.troupe/cache/sha256/ab/cdef…`. Objects arrive through a temp
/// folder on the same file system and are renamed into place after fsync, so a crash never
/// leaves a partial object under its name. Objects are read-only: exports are hard links to
/// them, and a program that writes to an exported file in place must fail, not alter the cache.
public struct ResultCache: Sendable {
    public let root: String
    public var temporaryDirectory: String { root + "/tmp" }
    /// The project the cache belongs to: exports are checked against it (no symlink on the way).
    public var project: ProjectFolder
    /// Objects this process found damaged and moved to quarantine, with the job that needed them.
    public let quarantined = QuarantineLog()
    /// A team's results in S3 (`--cache s3://…`): this cache stays the read-through layer,
    /// filled from it before a run decides what is done, and every new result is pushed to it.
    public var shared: SharedCache?

    public init(stateDirectory: String) {
        root = stateDirectory + "/cache"
        project = ProjectFolder(stateDirectory: stateDirectory)
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
        // Made again whenever it is missing (one mkdir: `gc` of an older troupe, or a person,
        // may have removed it during the run), never remembered as made.
        try AtomicFile.makeFolder(temporaryDirectory)
        // Named with this process's pid, so a later run can tell a dead process's leftovers.
        return TemporaryFiles.path(beside: "\(temporaryDirectory)/job.\(ext)", keepingExtension: true)
    }

    /// Removes what killed processes left in the temp folder (their pids are gone; a live
    /// run's files stay): a run calls it as it starts. Returns the paths removed.
    @discardableResult
    public func removeStaleTemporaries() -> [String] {
        TemporaryFiles.removeStale(in: temporaryDirectory)
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
        chmod(file, 0o444)
        if FileStats.statNow(target) != nil { unlink(file); return }
        // The shard folder is made when the rename says it is missing (256 of them, thousands of objects).
        if rename(file, target) == 0 { stampVerified(sha); return }
        if errno == ENOENT {
            try AtomicFile.makeFolder((target as NSString).deletingLastPathComponent)
            if rename(file, target) == 0 { stampVerified(sha); return }
        }
        throw Failure(description: "cannot move \(file) into the cache: \(String(cString: strerror(errno)))")
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
        // Only names troupe gives objects: two and 62 lowercase hex digits.
        for d in dirs where d.count == 2 && Self.isHex(d) {
            for f in (try? FileManager.default.contentsOfDirectory(atPath: base + "/" + d)) ?? [] where f.count == 62 && Self.isHex(f) {
                out.append(d + f)
            }
        }
        return out
    }

    /// Puts an object at `destination` atomically: a hard link (no copy, no new inode, no
    /// fsync: the object is durable already) renamed into place, or a copy (temp + fsync +
    /// rename) when the two are on different file systems.
    /// Whether the file at `destination` is this object's export, unaltered: the same inode
    /// (a hard link), or for a copy on another file system the same bytes. A file replaced or
    /// edited since is not, so `run` exports it again (from the cache, paying nothing).
    public func isExported(_ sha256: String, at destination: String) -> Bool {
        guard let there = FileStats.statNow(destination), there.isRegularFile,
              let object = FileStats.statNow(path(of: sha256)) else { return false }
        if there.device == object.device { return there.inode == object.inode }
        return there.size == object.size && (try? DigestCache.hashFile(destination)) == sha256
    }

    public func export(_ sha256: String, to destination: String) throws {
        // Inside the project, no symlink on the way (folders are made here, checked).
        try project.checkWritable(destination)
        guard let source = try checkedPath(of: sha256, for: "export " + relativeToProject(destination)),
              let object = FileStats.statNow(source) else {
            throw Failure(description: "cache object \(sha256.prefix(12))… for \(relativeToProject(destination)) is missing or was damaged; `troupe run` fetches or makes it again (nothing is paid again)")
        }
        let there = FileStats.statNow(destination)
        // Already this object (rename would succeed and leave the temp link behind).
        if let there, there.device == object.device, there.inode == object.inode { return }
        let folder = (destination as NSString).deletingLastPathComponent
        if there == nil {
            // Nothing there yet: the link is made whole under its name, no temp name needed.
            if link(source, destination) == 0 { return }
            if errno == ENOENT {
                try AtomicFile.makeFolder(folder)
                if link(source, destination) == 0 { return }
            }
            // Another file system, or a file appeared meanwhile: the general way below.
        }
        try AtomicFile.makeFolder(folder)
        let temp = TemporaryFiles.path(beside: destination)
        guard link(source, temp) == 0 else {
            try AtomicFile.copy(source, to: destination)
            return
        }
        guard rename(temp, destination) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temp)
            throw Failure(description: "cannot export to \(destination): \(reason)")
        }
    }
}
