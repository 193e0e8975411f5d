/// RFC 3986 percent-encoding: the unreserved characters (letters, digits, `-._~`) pass and
/// every other byte of the UTF-8 text is `%XX` with uppercase digits, as SigV4 signing
/// requires and as links in a page need (a space, `#` or `?` would cut the URL).
public enum PercentEncoding {
    public static func encode(_ text: String, keepingSlashes: Bool = false) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 16)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(byte)
            case UInt8(ascii: "/") where keepingSlashes:
                out.append(byte)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(digits[Int(byte >> 4)])
                out.append(digits[Int(byte & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static let digits: [UInt8] = Array("0123456789ABCDEF".utf8)
}
