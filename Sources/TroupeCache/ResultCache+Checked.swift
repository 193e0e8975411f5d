import Foundation
import TroupeSupport
import TroupeManifest
import TroupePlan

/// Objects are checked when they are used: a post-step, an export or an upload reads an object
/// only after it is known to hash to its name. Hashing every input on every run would read the
/// whole cache each time, so a check is remembered as a stamp, an empty file whose name holds
/// the object's digest, size, mtime and inode: `.troupe/cache/verified/<sha>.<size>.<mtime>.<inode>`.
/// Any write to the object (it is read-only; someone chmod-ed it, or wrote through an export
/// that is a hard link of it) changes the mtime or size; a replaced file has another inode; the
/// stamp no longer matches and the object is hashed again.
///
/// Why a stamp file, not a table in the state store or an xattr: the cache is shared by every
/// manifest in the folder, and read-only commands (verify) use it without opening the store; an
/// xattr cannot be set on a read-only file without making it writable; a stamp is one `stat` to
/// read, and an empty file created whole cannot be half-written. Losing one only costs a hash.
extension ResultCache {
    /// The object damaged: where it went, and what to do.
    public struct Damaged: Error, CustomStringConvertible {
        public var sha256: String
        public var job: String
        public var movedTo: String
        public var description: String {
            "\(job): its cache object \(sha256.prefix(12))… does not match its hash (damaged); moved to \(movedTo). "
                + "`troupe run` fetches it again from the provider or makes it again, without paying again"
        }
    }

    var verifiedDirectory: String { root + "/verified" }
    /// Where damaged objects go: kept for a look, never used, never counted as the cache.
    public var quarantineDirectory: String { (root as NSString).deletingLastPathComponent + "/quarantine" }

    /// The object's path when it is in the cache and still hashes to its name; nil when it is
    /// missing — or was damaged: then it is moved to `.troupe/quarantine/`, noted in
    /// `quarantined` with `job` (the job that wanted it), and the caller treats it as missing
    /// (a fetched render is downloaded again, a local result made again; nothing is paid again).
    public func checkedPath(of sha256: String, for job: String) throws -> String? {
        let path = path(of: sha256)
        guard let st = FileStats.statNow(path), st.isRegularFile else { return nil }
        if FileStats.statNow(stampPath(sha256, st)) != nil { return path }
        let actual = try? DigestCache.hashFile(path)
        if actual == sha256 {
            writeStamp(sha256, st)
            return path
        }
        try quarantine(sha256, for: job)
        return nil
    }

    /// The object as an input a job is about to read: its checked path, or an error naming the
    /// job (a damaged object is quarantined; the next run fetches or makes it again).
    public func checkedInput(_ sha256: String, for job: String) throws -> String {
        let before = quarantined.entries.count
        if let path = try checkedPath(of: sha256, for: job) { return path }
        if let q = quarantined.entries.dropFirst(before).first(where: { $0.sha256 == sha256 }) {
            throw Damaged(sha256: sha256, job: job, movedTo: q.movedTo)
        }
        throw Failure(description: "\(job): its input \(sha256.prefix(12))… is no longer in the cache; `troupe run` fetches or makes it again (nothing is paid again)")
    }

    /// Remembers that the object as it is now hashes to its name (just hashed, or just made).
    func stampVerified(_ sha256: String) {
        if let st = FileStats.statNow(path(of: sha256)) { writeStamp(sha256, st) }
    }

    private func stampPath(_ sha256: String, _ st: FileStat) -> String {
        "\(verifiedDirectory)/\(sha256).\(st.size).\(st.mtimeNanos).\(st.inode)"
    }

    private func writeStamp(_ sha256: String, _ st: FileStat) {
        let path = stampPath(sha256, st)
        // A stamp is a name, not content: a hard link to one empty file costs a directory entry,
        // where a file of its own costs an inode (a run stamps every result it makes).
        let empty = verifiedDirectory + "/.stamp"
        if link(empty, path) == 0 || errno == EEXIST { return }
        if errno == ENOENT, (try? AtomicFile.makeFolder(verifiedDirectory)) != nil {
            let made = open(empty, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o444)
            if made >= 0 { close(made) }
            if link(empty, path) == 0 || errno == EEXIST { return }
        }
        // Too many links (EMLINK), or a file system without them: a file of its own.
        var fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o444)
        if fd < 0, errno == ENOENT, (try? AtomicFile.makeFolder(verifiedDirectory)) != nil {
            fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o444)
        }
        if fd >= 0 { close(fd) }
    }

    /// Moves a damaged object out of the cache (a rename: same file system).
    func quarantine(_ sha256: String, for job: String) throws {
        let from = path(of: sha256)
        try AtomicFile.makeFolder(quarantineDirectory)
        let to = "\(quarantineDirectory)/\(sha256)-\(UTCStamp.iso(Date()).replacingOccurrences(of: ":", with: ""))-\(TemporaryFiles.uniqueName())"
        guard rename(from, to) == 0 else {
            if errno == ENOENT { return }  // someone else moved it first
            throw Failure(description: "\(job): its cache object \(from) is damaged and cannot be moved to \(quarantineDirectory): \(ProjectFolder.cause(errno)); delete it and run again")
        }
        quarantined.append(.init(sha256: sha256, job: job, movedTo: relativeToProject(to)))
    }

    /// Stamps of objects no longer in the cache (gc): removed with them.
    func staleStamps(keeping objects: Set<String>) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: verifiedDirectory)) ?? []
        return names.filter { !$0.hasPrefix(".") && !objects.contains(String($0.prefix(64))) }.map { verifiedDirectory + "/" + $0 }
    }

    /// A path inside the project as the user sees it (relative to the manifest's folder).
    func relativeToProject(_ path: String) -> String {
        let base = project.root
        return path.hasPrefix(base + "/") ? String(path.dropFirst(base.count + 1)) : path
    }

    static func isHex(_ s: String) -> Bool {
        s.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}

/// Damaged objects found by this process, for the run's summary.
public final class QuarantineLog: @unchecked Sendable {
    public struct Entry: Sendable {
        public var sha256: String
        /// The job that needed the object (`render pip/hop`, `export out/showreel.mp4`).
        public var job: String
        /// Where the object went, relative to the manifest's folder.
        public var movedTo: String
    }
    private let lock = NSLock()
    private var list: [Entry] = []

    public var entries: [Entry] { lock.withLock { list } }
    func append(_ e: Entry) { lock.withLock { list.append(e) } }
}

extension ResultCache {
    /// Refuses a state folder troupe would reach through a symlink: `.troupe` itself, its
    /// folders (cache, tmp, shards, posters, quarantine) and its files (state database, lock).
    /// A symlinked `.troupe` committed to a repository would otherwise have troupe create, lock
    /// and delete files wherever it points. Makes `.troupe` when it is missing.
    public static func checkStateFolder(_ stateDirectory: String) throws {
        let project = ProjectFolder(stateDirectory: stateDirectory)
        try project.checkFolder(stateDirectory, create: true)
        let cache = stateDirectory + "/cache"
        var folders = [cache, cache + "/tmp", cache + "/sha256", cache + "/verified", stateDirectory + "/posters",
                       stateDirectory + "/quarantine"]
        for shard in (try? FileManager.default.contentsOfDirectory(atPath: cache + "/sha256")) ?? [] {
            folders.append(cache + "/sha256/" + shard)
        }
        for folder in folders {
            if let fd = try project.openFolder(folder, create: false) { close(fd) }
        }
        for file in ["state.sqlite", "state.sqlite-wal", "state.sqlite-shm", "lock", "digests"] {
            try project.checkWritable(stateDirectory + "/" + file, createFolders: false)
        }
    }
}
