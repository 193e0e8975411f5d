import Foundation
import Testing

let repoRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The built `troupe` binary, which sits beside the test bundle.
var troupeBinary: URL {
    let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("troupe").standardizedFileURL
    return FileManager.default.isExecutableFile(atPath: beside.path) ? beside
        : Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("troupe")
}

/// What the crash trials run: `troupeBinary`, or TROUPE_BINARY (another build, e.g. the
/// release binary users run).
var trialBinary: URL {
    ProcessInfo.processInfo.environment["TROUPE_BINARY"].map { URL(fileURLWithPath: $0) } ?? troupeBinary
}

/// Runs the built `troupe` binary.
func troupe(_ arguments: [String], in directory: URL = repoRoot,
            environment: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = troupeBinary
    process.arguments = arguments
    process.currentDirectoryURL = directory
    if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}

/// `troupe(...)` off the cooperative thread pool: a test whose simulator runs in this process
/// must not block one of the pool's few threads waiting for a troupe that waits for that
/// simulator (with two such tests at once the simulator could never answer).
func troupeAsync(_ arguments: [String], in directory: URL = repoRoot,
                 environment: [String: String] = [:]) async throws -> (status: Int32, stdout: String, stderr: String) {
    try await offPool { try troupe(arguments, in: directory, environment: environment) }
}

/// Runs blocking work (a child process and its pipes) on a dispatch thread.
func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            do { continuation.resume(returning: try work()) } catch { continuation.resume(throwing: error) }
        }
    }
}

@Suite struct ValidateCommandTests {
    @Test func validManifestExitsZero() throws {
        let r = try troupe(["validate", "manifests/campaign.yaml"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("valid"))
        #expect(r.stderr.isEmpty)
    }

    @Test func invalidManifestExitsTwoWithCompilerStyleErrors() throws {
        let r = try troupe(["validate", "manifests/invalid/dangling.yaml"])
        #expect(r.status == 2)
        #expect(r.stderr.hasPrefix("manifests/invalid/dangling.yaml:6:138: error: character 'mochi' names unknown element 'mochii'\n"))
        #expect(r.stderr.contains("^~~~~~~"))
        #expect(r.stderr.hasSuffix("6 errors generated.\n"))
        #expect(r.stdout.isEmpty)
    }

    @Test func jsonFormatPrintsOneObjectPerLineOnStdout() throws {
        let r = try troupe(["validate", "manifests/invalid/bad-trim.yaml", "--format", "json"])
        #expect(r.status == 2)
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 3)
        for line in lines {
            let o = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(o["code"] as? String == "invalid-trim")
            #expect(o["file"] as? String == "manifests/invalid/bad-trim.yaml")
        }
    }

    @Test func defaultManifestIsTroupeYamlInTheCurrentFolder() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("troupe-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var r = try troupe(["validate"], in: dir)
        #expect(r.status == 2)
        #expect(r.stderr.contains("no manifest at 'troupe.yaml'"))
        try Data(contentsOf: repoRoot.appendingPathComponent("manifests/remote.yaml")).write(to: dir.appendingPathComponent("troupe.yaml"))
        r = try troupe(["validate"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
    }

    @Test func versionAndHelp() throws {
        let v = try troupe(["--version"])
        #expect(v.status == 0 && !v.stdout.isEmpty)
        let h = try troupe(["validate", "--help"])
        #expect(h.status == 0 && h.stdout.contains("Examples:"))
    }
}
