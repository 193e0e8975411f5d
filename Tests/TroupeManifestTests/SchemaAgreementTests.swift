import Foundation
import Testing
import TroupeTestSupport
@testable import TroupeManifest

/// schemas/manifest.schema.json and the loader must accept the same keys, and every valid
/// example must pass the schema.
@Suite struct SchemaAgreementTests {
    static let schemaURL = repoRoot.appendingPathComponent("schemas/manifest.schema.json")

    func schema() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: Self.schemaURL)) as? [String: Any])
    }

    /// Follows `$ref`s into `$defs`.
    func resolve(_ node: [String: Any], in root: [String: Any]) -> [String: Any] {
        guard let ref = node["$ref"] as? String, ref.hasPrefix("#/$defs/") else { return node }
        let defs = root["$defs"] as? [String: Any] ?? [:]
        return defs[String(ref.dropFirst(8))] as? [String: Any] ?? [:]
    }

    /// Every object schema with `properties`, by the section path ManifestKeys uses.
    func sections(_ node: [String: Any], path: String, root: [String: Any], into out: inout [String: Set<String>]) {
        let node = resolve(node, in: root)
        if let props = node["properties"] as? [String: Any] {
            out[path] = Set(props.keys)
            for (key, value) in props {
                guard let child = value as? [String: Any] else { continue }
                sections(child, path: path.isEmpty ? key : "\(path).\(key)", root: root, into: &out)
            }
        }
        if let items = node["items"] as? [String: Any] {
            sections(items, path: path + "[]", root: root, into: &out)
        }
        if let values = node["additionalProperties"] as? [String: Any] {
            sections(values, path: path + ".*", root: root, into: &out)
        }
    }

    @Test func schemaAndLoaderAcceptTheSameKeys() throws {
        let root = try schema()
        var found: [String: Set<String>] = [:]
        sections(root, path: "", root: root, into: &found)
        let expected = ManifestKeys.sections.mapValues(Set.init)
        #expect(Set(found.keys) == Set(expected.keys))
        for (path, keys) in expected {
            #expect(found[path] == keys, "section '\(path)'")
        }
    }

    @Test func schemaDescribesEveryKey() throws {
        let root = try schema()
        var missing: [String] = []
        func walk(_ node: Any, _ path: String) {
            if let dict = node as? [String: Any] {
                if let props = dict["properties"] as? [String: Any] {
                    for (k, v) in props {
                        let d = resolve(v as? [String: Any] ?? [:], in: root)
                        if d["description"] == nil { missing.append("\(path).\(k)") }
                    }
                }
                for (k, v) in dict { walk(v, "\(path)/\(k)") }
            } else if let list = node as? [Any] {
                for v in list { walk(v, path) }
            }
        }
        walk(root, "")
        #expect(missing.isEmpty, "keys without description: \(missing)")
    }

    @Test func validExamplesPassTheSchema() throws {
        let examples = try FileManager.default.contentsOfDirectory(atPath: repoRoot.appendingPathComponent("manifests").path)
            .filter { $0.hasSuffix(".yaml") }.map { "manifests/" + $0 } + ["manifests/demo/troupe.yaml"]
        #expect(examples.count >= 3)
        let script = """
        import json, sys, yaml, jsonschema
        schema = json.load(open(sys.argv[1]))
        jsonschema.Draft202012Validator.check_schema(schema)
        validator = jsonschema.Draft202012Validator(schema)
        bad = 0
        for path in sys.argv[2:]:
            for error in validator.iter_errors(yaml.safe_load(open(path))):
                print(f"{path}: {error.json_path}: {error.message}"); bad += 1
        sys.exit(1 if bad else 0)
        """
let (status, output) = try runPython(script, [Self.schemaURL.path] + examples, in: repoRoot)
        #expect(status == 0, "\(output)")
    }
}
