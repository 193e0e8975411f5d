public import TroupeManifest
import Foundation

/// A manifest as committed at a git revision, for `plan --diff`: its text and its local media
/// from git's objects. Media unchanged since the revision are read from the working tree (git
/// tells which through its index, without reading them); the others are written out of git
/// into a temporary folder. git is the user's own tool here; troupe reads, never writes, the
/// repository.
public struct GitRevision {
    public let ref: String
    /// The repository's top folder.
    public let root: String
    private let scratch: String

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// `ref` in the repository that holds `manifest`.
    public init(_ ref: String, manifest: String) throws {
        self.ref = ref
        let folder = (URL(fileURLWithPath: manifest).standardizedFileURL.path as NSString).deletingLastPathComponent
        let top = try Self.git(["rev-parse", "--show-toplevel"], in: folder)
        guard top.status == 0 else {
            throw Failure(description: "\(manifest) is not in a git repository (git: \(top.errorText)); --diff compares with a commit")
        }
        root = String(decoding: top.output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let verify = try Self.git(["rev-parse", "--verify", "--quiet", ref + "^{commit}"], in: root)
        guard verify.status == 0 else {
            throw Failure(description: "'\(ref)' is no commit in this repository; in a shallow CI checkout fetch it first: git fetch --depth=1 origin \(ref)")
        }
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("troupe-diff-\(getpid())-\(UUID().uuidString)").path
    }

    /// Removes what was written out of git.
    public func cleanUp() { try? FileManager.default.removeItem(atPath: scratch) }

    /// The path of `file` inside the repository, or nil when it is outside it.
    func relative(_ file: String) -> String? {
        let real = URL(fileURLWithPath: file).standardizedFileURL.resolvingSymlinksInPath().path
        let top = URL(fileURLWithPath: root).resolvingSymlinksInPath().path
        guard real.hasPrefix(top + "/") else { return nil }
        return String(real.dropFirst(top.count + 1))
    }

    /// The manifest at the revision, loaded as if it stood where it stands now (its media
    /// resolved against the same folder), then pointed at the revision's media. Nil when the
    /// manifest did not exist then (everything in it is new).
    public func load(manifest: String) throws -> ManifestLoader.Result? {
        guard let rel = relative(manifest) else { throw Failure(description: "\(manifest) is outside the repository at \(root)") }
        let shown = try Self.git(["show", "\(ref):\(rel)"], in: root)
        guard shown.status == 0 else { return nil }
        let base = (URL(fileURLWithPath: manifest).standardizedFileURL.path as NSString).deletingLastPathComponent
        var loader = ManifestLoader()
        // Media are checked against the revision's tree below, not the working tree.
        loader.fileExists = { _ in true }
        var loaded = loader.load(bytes: [UInt8](shown.output), file: "\(ref):\(rel)", baseDirectory: base)
        guard var m = loaded.manifest else { return loaded }

        var wanted: [String: [Mark]] = [:]
        func note(_ source: MediaSource, _ mark: Mark) {
            if case .local(_, let resolved) = source { wanted[resolved, default: []].append(mark) }
        }
        for c in m.characters { note(c.image, c.imageMark) }
        for k in m.clips { note(k.video, k.videoMark) }
        for e in m.elements { if case .fromVideo(let s, _, _) = e.source { note(s, e.sourceMark) } }
        let paths = try mediaAtRevision(Array(wanted.keys))
        for (resolved, marks) in wanted where paths[resolved] == nil {
            for mark in marks {
                loaded.diagnostics.append(Diagnostic(
                    file: loaded.source.path, at: mark, code: "missing-at-revision",
                    message: "'\(relative(resolved) ?? resolved)' is not in the repository at \(ref)",
                    hint: "commit the file, or compare with a revision that has it"))
            }
        }
        func moved(_ source: MediaSource) -> MediaSource {
            guard case .local(let written, let resolved) = source, let now = paths[resolved] else { return source }
            return .local(path: written, resolved: now)
        }
        for i in m.characters.indices { m.characters[i].image = moved(m.characters[i].image) }
        for i in m.clips.indices { m.clips[i].video = moved(m.clips[i].video) }
        for i in m.elements.indices {
            if case .fromVideo(let s, let sha, let d) = m.elements[i].source { m.elements[i].source = .fromVideo(moved(s), sha256: sha, duration: d) }
        }
        loaded.manifest = m
        return loaded
    }

    /// Where each medium's bytes at the revision can be read: the working file when git says it
    /// is unchanged since, else a copy written out of git. Missing at the revision: absent.
    private func mediaAtRevision(_ resolved: [String]) throws -> [String: String] {
        var relByPath: [String: String] = [:]
        for p in resolved { if let r = relative(p) { relByPath[p] = r } }
        let rels = Array(Set(relByPath.values)).sorted()
        guard !rels.isEmpty else { return [:] }
        // Blob ids at the revision (`git ls-tree REF -- paths`: "mode blob id\tpath").
        var blobs: [String: String] = [:]
        for chunk in stride(from: 0, to: rels.count, by: 500).map({ Array(rels[$0..<min($0 + 500, rels.count)]) }) {
            let listed = try Self.git(["ls-tree", "-z", ref, "--"] + chunk, in: root)
            for entry in listed.output.split(separator: 0) {
                let text = String(decoding: entry, as: UTF8.self)
                guard let tab = text.firstIndex(of: "\t") else { continue }
                let fields = text[..<tab].split(separator: " ")
                if fields.count == 3, fields[1] == "blob" { blobs[String(text[text.index(after: tab)...])] = String(fields[2]) }
            }
        }
        // Changed since the revision in the working tree (git compares through its index).
        var changed = Set<String>()
        for chunk in stride(from: 0, to: rels.count, by: 500).map({ Array(rels[$0..<min($0 + 500, rels.count)]) }) {
            let diff = try Self.git(["diff", "--name-only", "-z", "--no-renames", ref, "--"] + chunk, in: root)
            for name in diff.output.split(separator: 0) { changed.insert(String(decoding: name, as: UTF8.self)) }
        }
        var out: [String: String] = [:]
        for (path, rel) in relByPath {
            guard let blob = blobs[rel] else { continue }
            if !changed.contains(rel), FileManager.default.fileExists(atPath: path) {
                out[path] = path
                continue
            }
            let copy = scratch + "/" + blob + "." + (rel as NSString).pathExtension
            if !FileManager.default.fileExists(atPath: copy) {
                let bytes = try Self.git(["cat-file", "blob", blob], in: root)
                guard bytes.status == 0 else { throw Failure(description: "git cannot read \(rel) at \(ref): \(bytes.errorText)") }
                try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
                try bytes.output.write(to: URL(fileURLWithPath: copy))
            }
            out[path] = copy
        }
        return out
    }

    struct Output {
        var status: Int32
        var output: Data
        var errorText: String
    }

    static func git(_ arguments: [String], in folder: String) throws -> Output {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["git"] + arguments
        p.currentDirectoryURL = URL(fileURLWithPath: folder)
        // git's words go to a file, not a second pipe: reading two pipes needs a thread for
        // one of them (a large blob would fill the other and stall git), a file needs none.
        let errPath = FileManager.default.temporaryDirectory.appendingPathComponent("troupe-git-\(getpid())-\(UUID().uuidString)").path
        guard FileManager.default.createFile(atPath: errPath, contents: nil), let errFile = FileHandle(forWritingAtPath: errPath) else {
            throw Failure(description: "cannot make a temporary file for git's messages in \(FileManager.default.temporaryDirectory.path)")
        }
        defer {
            try? errFile.close()
            unlink(errPath)
        }
        let out = Pipe()
        p.standardOutput = out
        p.standardError = errFile
        do { try p.run() } catch { throw Failure(description: "cannot run git (\(error)); --diff needs git on PATH") }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let errData = FileManager.default.contents(atPath: errPath) ?? Data()
        return Output(status: p.terminationStatus, output: data,
                      errorText: String(decoding: errData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
