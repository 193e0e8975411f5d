import Foundation
public import TroupePlan
import TroupeManifest
import TroupeSupport

/// `troupe verify` and `gc`: read-mostly views of the cache, the lock and the exports
/// (`troupe status` extends it where the state store is).
public enum Maintenance {
    /// One disagreement `troupe verify` reports: what, where, and the command that repairs it.
    public struct Problem: Sendable, CustomStringConvertible {
        public enum Kind: String, Sendable {
            case missingObject = "its cache object is missing"
            case corruptObject = "its cache object does not match its hash (corrupt)"
            case missingExport = "is missing"
            case alteredExport = "differs from the locked result"
            case notLocked = "is not in the lock (not made yet)"
            case unlisted = "is made by no job of this manifest"
        }
        /// `render pip/hop`, `output showreel`, or a path for an unlisted file.
        public var subject: String
        /// The file concerned, relative to the manifest's folder.
        public var path: String
        public var kind: Kind
        public var description: String { "\(subject): \(path) \(kind.rawValue)" }
    }

    /// Every disagreement between the lock, the cache and the exports: cache objects missing or
    /// corrupt, exports missing or altered, and — given the plan — exports the manifest implies
    /// that the lock does not list, and files in the output folder that no job makes.
    public static func verify(lock: Lockfile, cache: ResultCache, baseDirectory: String, outputFolder: String = "out",
                              plan: Plan? = nil) -> [Problem] {
        var problems: [Problem] = []
        var checked: [String: Bool] = [:]
        func relative(_ path: String) -> String {
            path.hasPrefix(baseDirectory + "/") ? String(path.dropFirst(baseDirectory.count + 1)) : path
        }
        func check(_ what: String, _ sha: String?, exported: String) {
            guard let sha else { return }
            if checked[sha] == nil {
                let ok: Bool
                if !cache.contains(sha) {
                    problems.append(Problem(subject: what, path: relative(cache.path(of: sha)), kind: .missingObject))
                    ok = false
                } else if !cache.verify(sha) {
                    problems.append(Problem(subject: what, path: relative(cache.path(of: sha)), kind: .corruptObject))
                    ok = false
                } else { ok = true }
                checked[sha] = ok
            }
            let path = baseDirectory + "/" + exported
            if FileStats.statNow(path) == nil {
                problems.append(Problem(subject: what, path: exported, kind: .missingExport))
            } else if checked[sha] == true, !cache.isExported(sha, at: path), (try? DigestCache.hashFile(path)) != sha {
                problems.append(Problem(subject: what, path: exported, kind: .alteredExport))
            }
        }
        var expected = Set<String>()
        for (id, r) in lock.renders.sorted(by: { $0.key < $1.key }) {
            // A cell that shares another's render is checked against that render's result.
            let path = "\(outputFolder)/renders/\(id).mp4"
            expected.insert(path)
            check("render \(id)", lock.render(key: r.key, names: [id])?.sha256, exported: path)
        }
        for (name, o) in lock.outputs.sorted(by: { $0.key < $1.key }) {
            let path = "\(outputFolder)/\(Lockfile.exportFile(ofOutput: name))"
            expected.insert(path)
            check("output \(name)", o.sha256, exported: path)
        }
        guard let plan else { return problems }
        var planned = Set<String>()
        for job in plan.jobs where job.kind == .export {
            guard case .export(let path) = job.subject else { continue }
            planned.insert(path)
            if !expected.contains(path) {
                let name = plan.jobs[job.deps[0]].kind == .post ? "output" : "render"
                problems.append(Problem(subject: "\(name) \(path)", path: path, kind: .notLocked))
            }
        }
        for path in exportedFiles(baseDirectory: baseDirectory, outputFolder: outputFolder, manifest: plan.manifest.path)
        where !planned.contains(path) {
            problems.append(Problem(subject: "file", path: path, kind: .unlisted))
        }
        return problems
    }

    /// The exports under a manifest's output folder (MP4s, deliverables' posters and GIFs),
    /// relative to its folder; other manifests' folders (`out/NAME` beside `NAME.yaml`) are
    /// theirs, and `report/` holds the campaign page and its own pictures.
    static func exportedFiles(baseDirectory: String, outputFolder: String, manifest: String) -> [String] {
        let fm = FileManager.default
        guard let walker = fm.enumerator(atPath: baseDirectory + "/" + outputFolder) else { return [] }
        var out: [String] = []
        while let item = walker.nextObject() as? String {
            let full = baseDirectory + "/" + outputFolder + "/" + item
            if outputFolder == "out", !item.contains("/"), FileStats.statNow(full)?.isRegularFile == false,
               ["yaml", "yml"].contains(where: { fm.fileExists(atPath: baseDirectory + "/" + item + "." + $0) }) {
                walker.skipDescendants()
                continue
            }
            if item == "report", FileStats.statNow(full)?.isRegularFile == false {
                walker.skipDescendants()
                continue
            }
            if item.hasSuffix(".mp4") || item.hasSuffix(".jpg") || item.hasSuffix(".gif") { out.append(outputFolder + "/" + item) }
        }
        return out.sorted()
    }

    /// What `gc` drops (or, dry, would drop): cache objects no lock in the folder references,
    /// and the temp folder's leftovers.
    public struct Collected: Sendable {
        public var objects: [(sha256: String, bytes: Int)] = []
        public var temporaryFiles = 0
        public var temporaryBytes = 0
        public var bytes: Int { objects.reduce(0) { $0 + $1.bytes } + temporaryBytes }
    }

    /// Removes the cache objects that none of `locks` references (the results a committed lock
    /// needs stay; earlier versions, prepared clips and the like go, and are fetched or made
    /// again for free if they are needed), and the temp folder's files. Run under the campaign
    /// lock, so no run is using either. `dryRun`: only say what would go.
    ///
    /// Deletes only what troupe made inside `.troupe/`: regular files named by their digest in
    /// the cache's shard folders, and regular files in `cache/tmp`, each unlinked from its
    /// folder opened without following a symlink; a symlinked `.troupe` (or folder in it) is an
    /// error, never a walk.
    public static func gc(locks: [Lockfile], cache: ResultCache, dryRun: Bool = false) throws -> Collected {
        let stateDirectory = (cache.root as NSString).deletingLastPathComponent
        try ResultCache.checkStateFolder(stateDirectory)
        let project = ProjectFolder(stateDirectory: stateDirectory)
        var keep = Set<String>()
        for lock in locks {
            for r in lock.renders.values { if let s = r.sha256 { keep.insert(s) } }
            for o in lock.outputs.values { if let s = o.sha256 { keep.insert(s) } }
        }
        var collected = Collected()
        var remaining = Set<String>()
        let objects = cache.objects()
        for sha in objects where keep.contains(sha) { remaining.insert(sha) }
        for sha in objects where !keep.contains(sha) {
            let path = cache.path(of: sha)
            let bytes = try removeRegularFile(path, project: project, dryRun: dryRun)
            if let bytes { collected.objects.append((sha, bytes)) } else { remaining.insert(sha) }
        }
        // Stamps of objects gone (empty files: not counted as space).
        if !dryRun { for stamp in cache.staleStamps(keeping: remaining) { _ = try? removeRegularFile(stamp, project: project, dryRun: false) } }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: cache.temporaryDirectory)) ?? []
        for name in names {
            if let bytes = try removeRegularFile(cache.temporaryDirectory + "/" + name, project: project, dryRun: dryRun) {
                collected.temporaryFiles += 1
                collected.temporaryBytes += bytes
            }
        }
        // A run started later (or running beside an older troupe's gc) finds its temp folder.
        if !dryRun { try project.checkFolder(cache.temporaryDirectory, create: true) }
        return collected
    }

    /// Unlinks `path` when it is a regular file, from its folder opened without following a
    /// symlink; returns its size, or nil when it is something else (a folder, a symlink).
    private static func removeRegularFile(_ path: String, project: ProjectFolder, dryRun: Bool) throws -> Int? {
        let folder = (path as NSString).deletingLastPathComponent, name = (path as NSString).lastPathComponent
        guard let fd = try project.openFolder(folder, create: false) else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        if !dryRun, unlinkat(fd, name, 0) != 0 {
            if errno == ENOENT { return nil }
            throw ResultCache.Failure(description: "cannot remove \(path): \(ProjectFolder.cause(errno))")
        }
        return Int(st.st_size)
    }

    /// Every lock beside manifests in `folder` (`*.lock`), for gc: what any of them records stays.
    public static func locks(inFolder folder: String) throws -> [Lockfile] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return try names.filter { $0.hasSuffix(".lock") }.sorted().compactMap { try Lockfile.read(folder + "/" + $0) }
    }
}
