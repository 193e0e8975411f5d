import Foundation
import Testing
@testable import TroupeManifest

/// Every invalid manifest in manifests/invalid/ against its recorded diagnostics (text and
/// JSON). Set TROUPE_RECORD_GOLDEN=1 to re-record after an intended change.
@Suite struct GoldenDiagnosticsTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var file: String
        var code: String
        var line: Int
        var column: Int
        var testDescription: String { file }
    }

    /// The first diagnostic each case must produce, so a moved location fails even if re-recorded.
    static let cases: [Case] = [
        Case(file: "unknown-key", code: "unknown-key", line: 5, column: 3),
        Case(file: "wrong-type", code: "wrong-type", line: 5, column: 16),
        Case(file: "missing-key", code: "missing-key", line: 1, column: 1),
        Case(file: "duplicate-key", code: "duplicate-key", line: 3, column: 1),
        Case(file: "bad-name", code: "bad-name", line: 2, column: 7),
        Case(file: "dangling", code: "dangling-reference", line: 6, column: 138),
        Case(file: "duplicate-cell", code: "duplicate-cell", line: 13, column: 5),
        Case(file: "output-cycle", code: "output-cycle", line: 13, column: 11),
        Case(file: "bad-trim", code: "invalid-trim", line: 7, column: 146),
        Case(file: "element-image-orientation", code: "element-needs-video-orientation", line: 15, column: 25),
        Case(file: "prompt-too-long", code: "prompt-too-long", line: 4, column: 11),
        Case(file: "url-without-digest", code: "url-needs-digest", line: 4, column: 18),
        Case(file: "unsupported-extension", code: "unsupported-format", line: 4, column: 18),
        Case(file: "missing-file", code: "missing-file", line: 4, column: 18),
        Case(file: "unknown-version", code: "unsupported-version", line: 1, column: 9),
        Case(file: "multi-document", code: "multiple-documents", line: 12, column: 1),
        Case(file: "empty", code: "empty-file", line: 1, column: 1),
        Case(file: "comments-only", code: "empty-file", line: 1, column: 1),
        Case(file: "invalid-utf8", code: "invalid-utf8", line: 2, column: 10),
        Case(file: "tab-indentation", code: "tab-indentation", line: 4, column: 1),
        Case(file: "yaml-syntax", code: "yaml-syntax", line: 5, column: 6),
        Case(file: "billion-laughs", code: "alias-expansion", line: 8, column: 8),
    ]

    static let invalidDir = repoRoot.appendingPathComponent("manifests/invalid")
    static let goldenDir = repoRoot.appendingPathComponent("Tests/TroupeManifestTests/Golden")

    @Test(arguments: cases)
    func diagnosticsMatchGolden(_ c: Case) throws {
        let url = Self.invalidDir.appendingPathComponent(c.file + ".yaml")
        let bytes = try [UInt8](Data(contentsOf: url))
        let name = c.file + ".yaml"
        let result = ManifestLoader().load(bytes: bytes, file: name, baseDirectory: Self.invalidDir.path)
        #expect(!result.isValid)
        let first = try #require(result.diagnostics.first)
        #expect(first.code == c.code)
        #expect(first.line == c.line && first.column == c.column, "at \(first.line):\(first.column)")

        let renderer = DiagnosticRenderer(sources: [result.source])
        let actual = renderer.render(result.diagnostics, format: .text) + "--- json\n"
            + renderer.render(result.diagnostics, format: .json)
        let golden = Self.goldenDir.appendingPathComponent(c.file + ".txt")
        if ProcessInfo.processInfo.environment["TROUPE_RECORD_GOLDEN"] != nil {
            try FileManager.default.createDirectory(at: Self.goldenDir, withIntermediateDirectories: true)
            try actual.write(to: golden, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: golden, encoding: .utf8)
        #expect(actual == expected)
    }

    @Test func everyInvalidManifestHasACase() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.invalidDir.path)
            .filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }
        #expect(Set(files) == Set(Self.cases.map(\.file)))
    }

    @Test func jsonDiagnosticsCarryTheDocumentedFields() throws {
        let url = Self.invalidDir.appendingPathComponent("dangling.yaml")
        let result = ManifestLoader().load(bytes: try [UInt8](Data(contentsOf: url)), file: "dangling.yaml",
                                           baseDirectory: Self.invalidDir.path)
        let lines = DiagnosticRenderer(sources: [result.source]).render(result.diagnostics, format: .json)
            .split(separator: "\n")
        #expect(lines.count == result.diagnostics.count)
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            for key in ["file", "line", "column", "severity", "code", "message", "hint"] {
                #expect(object[key] != nil, "missing \(key)")
            }
            #expect((object["line"] as? Int ?? 0) >= 1)
        }
    }
}
