import Crypto
import TroupeManifest

/// Builds a job's content key: SHA-256 over a canonical, versioned text of its kind,
/// parameters and inputs' keys (see docs/keys.md). Field order in code does not matter:
/// fields are sorted by name before hashing.
public struct ContentKey: Sendable {
    /// Bump when the encoding changes: every key changes with it.
    public static let version = "troupe-key/1"

    private var fields: [(name: String, value: String)] = []
    private let kind: String

    public init(kind: String) { self.kind = kind }

    public mutating func add(_ name: String, _ value: String) {
        fields.append((name, JSONText.quote(value)))
    }

    public mutating func add(_ name: String, _ value: Bool) {
        fields.append((name, value ? "true" : "false"))
    }

    public mutating func add(_ name: String, _ value: Double) {
        fields.append((name, Self.number(value)))
    }

    public mutating func add(_ name: String, _ value: Int) {
        fields.append((name, String(value)))
    }

    /// An input's key (hex) or a list of them, order kept.
    public mutating func add(_ name: String, keys: [String]) {
        fields.append((name, "[" + keys.joined(separator: ",") + "]"))
    }

    /// The canonical text that is hashed.
    public var canonicalText: String {
        var text = Self.version + "\nkind=" + kind + "\n"
        for f in fields.sorted(by: { $0.name < $1.name }) {
            text += f.name + "=" + f.value + "\n"
        }
        return text
    }

    public var hex: String { Self.sha256Hex(Array(canonicalText.utf8)) }

    /// Shortest text that reads back as the same Double; whole numbers without ".0".
    static func number(_ d: Double) -> String {
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        return String(d)
    }

    static func sha256Hex(_ bytes: [UInt8]) -> String {
        hexString(SHA256.hash(data: bytes))
    }

    static func hexString(_ digest: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for b in digest {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
