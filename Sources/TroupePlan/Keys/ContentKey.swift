import Crypto
import TroupeSupport

extension Array {
    func isSorted(by less: (Element, Element) -> Bool) -> Bool {
        for i in indices.dropFirst() where less(self[i], self[i - 1]) { return false }
        return true
    }
}

/// Builds a job's content key: SHA-256 over a canonical, versioned text of its kind,
/// parameters and inputs' keys (see docs/keys.md), each value written by `KeyEncoding`.
/// Field order in code does not matter: fields are sorted by name before hashing.
public struct ContentKey: Sendable {
    /// Bump when the encoding changes: every key changes with it.
    public static let version = "troupe-key/1"

    private var fields: [(name: String, value: String)] = []
    private let kind: String

    public init(kind: String) { self.kind = kind }

    public mutating func add(_ name: String, _ value: String) {
        fields.append((name, KeyEncoding.string(value)))
    }

    public mutating func add(_ name: String, _ value: Bool) {
        fields.append((name, KeyEncoding.bool(value)))
    }

    public mutating func add(_ name: String, _ value: Double) {
        fields.append((name, KeyEncoding.number(value)))
    }

    public mutating func add(_ name: String, _ value: Int) {
        fields.append((name, KeyEncoding.integer(value)))
    }

    /// An input's key (hex) or a list of them, order kept.
    public mutating func add(_ name: String, keys: [String]) {
        fields.append((name, KeyEncoding.keys(keys)))
    }

    /// The canonical text that is hashed.
    public var canonicalText: String {
        var text = Self.version + "\nkind=" + kind + "\n"
        for f in fields.sorted(by: { $0.name < $1.name }) {
            text += f.name + "=" + f.value + "\n"
        }
        return text
    }

    /// The key: SHA-256 of the canonical text, built in one buffer and hashed once.
    public var hex: String { hex(adding: ContentKey(kind: kind)) }

    /// The key of these fields plus `extra`'s: lets a caller encode fields shared by many
    /// jobs (a render block's settings) once and add only each job's own inputs.
    public func hex(adding extra: ContentKey) -> String {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(320)
        buffer.append(contentsOf: Self.versionBytes)
        buffer.append(contentsOf: "\nkind=".utf8)
        buffer.append(contentsOf: kind.utf8)
        buffer.append(UInt8(ascii: "\n"))
        let a = fields.isSorted { $0.name < $1.name } ? fields : fields.sorted { $0.name < $1.name }
        let b = extra.fields.isSorted { $0.name < $1.name } ? extra.fields : extra.fields.sorted { $0.name < $1.name }
        var i = 0, j = 0
        while i < a.count || j < b.count {
            let f: (name: String, value: String)
            if j >= b.count || (i < a.count && a[i].name < b[j].name) {
                f = a[i]
                i += 1
            } else {
                f = b[j]
                j += 1
            }
            buffer.append(contentsOf: f.name.utf8)
            buffer.append(UInt8(ascii: "="))
            buffer.append(contentsOf: f.value.utf8)
            buffer.append(UInt8(ascii: "\n"))
        }
        return Self.sha256Hex(buffer)
    }

    private static let versionBytes = Array(version.utf8)

    static func sha256Hex(_ bytes: [UInt8]) -> String {
        Hex.lowercase(SHA256.hash(data: bytes))
    }
}
