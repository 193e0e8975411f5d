import TroupeSupport

/// How a content key writes its values into the canonical text that is hashed
/// (docs/keys.md). This text is part of every key: a change here changes every key, and
/// every render is paid for again. It is therefore kept apart from the JSON that troupe
/// prints (TroupeSupport.JSONString), whose escapes may change freely, and pinned by
/// KeyGoldenTests. A deliberate change needs a new `ContentKey.version`.
enum KeyEncoding {
    /// A string as a JSON string literal, so a newline in a prompt cannot forge another field:
    /// `"` and `\` are preceded by `\`; newline, carriage return and tab are `\n` `\r` `\t`; the
    /// other bytes below 0x20 are `\u00xx` with lowercase hex digits (`\u0008`, not `\b`);
    /// every other byte of the UTF-8 text, DEL and non-ASCII included, is copied unchanged.
    static func string(_ s: String) -> String {
        // Most values (digests, names, settings) need no escaping: copy them whole.
        let plain = s.utf8.withContiguousStorageIfAvailable { !$0.contains(where: needsEscape) } ?? false
        if plain { return "\"" + s + "\"" }
        var out: [UInt8] = [quote]
        out.reserveCapacity(s.utf8.count + 8)
        for byte in s.utf8 {
            guard needsEscape(byte) else {
                out.append(byte)
                continue
            }
            out.append(backslash)
            switch byte {
            case quote, backslash: out.append(byte)
            case 0x0A: out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(UInt8(ascii: "r"))
            case 0x09: out.append(UInt8(ascii: "t"))
            default: out.append(contentsOf: [UInt8(ascii: "u"), zero, zero, Hex.digit(byte >> 4), Hex.digit(byte)])
            }
        }
        out.append(quote)
        return String(decoding: out, as: UTF8.self)
    }

    /// Whole numbers below 10^15 in magnitude without a fraction (`6`, not `6.0`); others as
    /// the shortest decimal that reads back as the same IEEE double (`7.35`), as Swift's
    /// `description` writes it.
    static func number(_ d: Double) -> String {
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        return String(d)
    }

    static func integer(_ n: Int) -> String { String(n) }

    static func bool(_ b: Bool) -> String { b ? "true" : "false" }

    /// Input keys in their meaningful order: `[k1,k2]`.
    static func keys(_ keys: [String]) -> String { "[" + keys.joined(separator: ",") + "]" }

    private static let quote = UInt8(ascii: "\"")
    private static let backslash = UInt8(ascii: "\\")
    private static let zero = UInt8(ascii: "0")

    private static func needsEscape(_ byte: UInt8) -> Bool { byte < 0x20 || byte == quote || byte == backslash }
}
