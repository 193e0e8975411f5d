/// JSON string literals for output (diagnostics, plan and diff JSON, run events, request
/// bodies, simulator replies), escaped as JSONSerialization does with slashes left alone:
/// `"` and `\`, the short forms `\b \f \n \r \t`, `\u00xx` (lowercase) for the other
/// controls below 0x20; everything else, DEL and non-ASCII included, is copied as UTF-8.
///
/// Content keys do not use this: their escaping is part of the key and lives with them
/// (TroupePlan/Keys, docs/keys.md), so a change here never changes a key.
public enum JSONString {
    /// `text` as a quoted JSON string.
    public static func quote(_ text: String) -> String {
        // Most strings (ids, names, paths) need no escaping: copy them whole.
        let plain = text.utf8.withContiguousStorageIfAvailable { !$0.contains(where: needsEscape) } ?? false
        if plain { return "\"" + text + "\"" }
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 8)
        append(text, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `text` as a quoted JSON string to a byte buffer.
    public static func append(_ text: String, to out: inout [UInt8]) {
        out.append(quote)
        for byte in text.utf8 {
            guard needsEscape(byte) else {
                out.append(byte)
                continue
            }
            out.append(backslash)
            switch byte {
            case quote, backslash: out.append(byte)
            case 0x08: out.append(UInt8(ascii: "b"))
            case 0x0C: out.append(UInt8(ascii: "f"))
            case 0x0A: out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(UInt8(ascii: "r"))
            case 0x09: out.append(UInt8(ascii: "t"))
            default: out.append(contentsOf: [UInt8(ascii: "u"), 0x30, 0x30, Hex.digit(byte >> 4), Hex.digit(byte)])
            }
        }
        out.append(quote)
    }

    private static let quote = UInt8(ascii: "\"")
    private static let backslash = UInt8(ascii: "\\")

    private static func needsEscape(_ byte: UInt8) -> Bool { byte < 0x20 || byte == quote || byte == backslash }
}
