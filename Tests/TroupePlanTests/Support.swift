import Foundation
import TroupeManifest
@testable import TroupePlan

let repoRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A temporary folder removed when the value goes away.
final class TempDir: @unchecked Sendable {
    let url: URL
    var path: String { url.path }
    init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("troupe-plan-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }

    func write(_ name: String, _ text: String) {
        write(name, Data(text.utf8))
    }

    func write(_ name: String, _ data: Data) {
        let file = url.appendingPathComponent(name)
        try! FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try! data.write(to: file)
    }
}

struct PlanFailure: Error, CustomStringConvertible {
    var description: String
}

/// Loads and plans manifest text; local clips are "probed" by a stand-in that reads the
/// duration from the file's first line, so tests need no media engine.
func plan(_ text: String, in dir: TempDir, file: String = "troupe.yaml", provider: ProviderKind? = nil,
          status: any JobStatusSource = LockStatus(nil)) throws -> Plan {
    dir.write(file, text)
    let loaded = ManifestLoader().load(path: dir.url.appendingPathComponent(file).path)
    guard loaded.isValid, let m = loaded.manifest, let matrix = loaded.matrix else {
        throw PlanFailure(description: loaded.diagnostics.map { "\($0.line):\($0.column) \($0.message)" }.joined(separator: "\n"))
    }
    let options = PlanOptions(provider: provider, stateDirectory: dir.path + "/.troupe",
                              probeDuration: fakeProbe, status: status)
    var planner = Planner(manifest: m, matrix: matrix, outputs: loaded.outputs, options: options)
    let (p, diagnostics) = planner.plan()
    guard let p else { throw PlanFailure(description: diagnostics.map(\.message).joined(separator: "\n")) }
    return p
}

let fakeProbe: @Sendable (String) throws -> Double = { path in
    let text = String(decoding: (FileManager.default.contents(atPath: path) ?? Data()).prefix(32), as: UTF8.self)
    guard let d = Double(text.split(separator: "\n").first ?? "") else { throw PlanFailure(description: "not a fake clip") }
    return d
}

extension Plan {
    var keysByID: [String: String] { Dictionary(uniqueKeysWithValues: jobs.map { ($0.id, $0.key) }) }
    func job(_ id: String) -> Job? { jobs.first { $0.id == id } }
}

func digest(_ s: String) -> String { String(repeating: s, count: 64 / s.count) }
