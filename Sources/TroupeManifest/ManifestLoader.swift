import Foundation
public import TroupeSupport

/// Reads, decodes and validates a manifest, collecting every diagnostic.
public struct ManifestLoader: Sendable {
    public struct Result: Sendable {
        /// Nil when the file could not be read or parsed at all.
        public var manifest: Manifest?
        public var matrix: RenderMatrix?
        public var outputs: [ResolvedOutput]
        public var diagnostics: [Diagnostic]
        public var source: SourceText

        /// Valid: a manifest and no errors (warnings allowed).
        public var isValid: Bool { manifest != nil && !diagnostics.hasErrors }
    }

    public var limits = YAMLLimits()
    /// A plain stat, shared with later stages through `stats`: FileManager's check costs
    /// more, and a campaign may name 10,000 files.
    public var fileExists: @Sendable (String) -> Bool
    /// `--fetch-remote`: URL media without sha256 (and duration) are accepted; the caller
    /// measures them (`RemoteMedia` in TroupeRun) before planning.
    public var fetchRemote = false

    public init(stats: FileStats = FileStats()) {
        fileExists = { stats.lookup($0) != nil }
    }

    /// Loads the manifest at `path`; diagnostics name the file as written in `path`.
    public func load(path: String) -> Result {
        guard let data = FileManager.default.contents(atPath: path) else {
            var isDir: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDir)
            let message = exists && isDir.boolValue ? "'\(path)' is a folder, not a manifest" :
                exists ? "cannot read '\(path)'" : "no manifest at '\(path)'"
            let d = Diagnostic(file: path, at: .start, code: "no-manifest", message: message,
                               hint: exists ? "check its permissions" : "pass the manifest's path, or run `troupe init` to start one")
            return Result(manifest: nil, matrix: nil, outputs: [], diagnostics: [d], source: SourceText(path: path, bytes: []))
        }
        let base = URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent().path
        return load(bytes: [UInt8](data), file: path, baseDirectory: base)
    }

    /// Loads manifest text; relative media paths resolve against `baseDirectory`.
    public func load(bytes: [UInt8], file: String, baseDirectory: String) -> Result {
        let source = SourceText(path: file, bytes: bytes)
        let parsed = YAMLParser(file: file, limits: limits).parse(bytes)
        var diagnostics = parsed.diagnostics
        guard let root = parsed.root else {
            return Result(manifest: nil, matrix: nil, outputs: [], diagnostics: diagnostics, source: source)
        }
        var decoder = ManifestDecoder(file: file, path: file, baseDirectory: baseDirectory, fileExists: fileExists)
        decoder.fetchRemote = fetchRemote
        let manifest = decoder.decode(root)
        decoder.checkLocalFiles()
        diagnostics += decoder.reader.diagnostics
        guard let manifest else {
            return Result(manifest: nil, matrix: nil, outputs: [], diagnostics: diagnostics, source: source)
        }
        var validator = ManifestValidator(manifest: manifest, file: file)
        let (matrix, outputs) = validator.validate()
        diagnostics += validator.diagnostics
        diagnostics.sort { ($0.line, $0.column) < ($1.line, $1.column) }
        return Result(manifest: manifest, matrix: matrix, outputs: outputs, diagnostics: diagnostics, source: source)
    }
}
