/// Lowercase hexadecimal text of bytes: digests, signatures, content keys. Written by hand
/// because `String(format: "%02x")` per byte is slow on Linux, and keys are hashed by the
/// ten thousand.
public enum Hex {
    public static func lowercase(_ bytes: some Sequence<UInt8>) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The digit for a nibble (0–15), for writers that append bytes themselves.
    public static func digit(_ nibble: UInt8) -> UInt8 { digits[Int(nibble & 0xF)] }

    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)
}
