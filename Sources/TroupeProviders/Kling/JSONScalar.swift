import Foundation

/// A string's bytes inside the document, or decoded when it had escapes.
enum StringBytes {
    case raw(UnsafeBufferPointer<UInt8>)
    case decoded([UInt8])
}

/// An object member's name; valid only inside the `readObject` call that gave it.
struct JSONKey {
    let bytes: StringBytes

    func `is`(_ name: StaticString) -> Bool {
        name.withUTF8Buffer { name in
            switch bytes {
            case .raw(let raw): raw.count == name.count && (raw.isEmpty || memcmp(raw.baseAddress!, name.baseAddress!, raw.count) == 0)
            case .decoded(let decoded): decoded.elementsEqual(name)
            }
        }
    }
}

/// One value, read as the old `[String: Any]` helpers read it: Kling sends numbers as strings in
/// places (duration, units, ids) and strings as numbers in others.
enum JSONScalar: Equatable {
    case string(String)
    /// The number's text, so integers and fractions convert as NSNumber did.
    case number(String)
    case bool(Bool)
    case null
    /// An object or array.
    case composite

    /// A string, or a number/bool as NSNumber.stringValue wrote it ("42", "1.0", "1").
    var string: String? {
        switch self {
        case .string(let text): text
        case .number(let text): Self.isInteger(text) ? Int64(text).map(String.init) ?? text : Double(text).map(\.description)
        case .bool(let flag): flag ? "1" : "0"
        case .null, .composite: nil
        }
    }

    /// A number, or a string holding one.
    var double: Double? {
        switch self {
        case .string(let text), .number(let text): Double(text)
        case .bool(let flag): flag ? 1 : 0
        case .null, .composite: nil
        }
    }

    /// An integer (a fraction truncated, as NSNumber.int64Value did), or a string holding an integer.
    var int64: Int64? {
        if case .string(let text) = self { return Int64(text) }
        return integer
    }

    /// A number or bool, never a string: what `as? NSNumber` read.
    var integer: Int64? {
        switch self {
        case .number(let text): Self.isInteger(text) ? Int64(text) : Double(text).flatMap { Int64(exactly: $0.rounded(.towardZero)) }
        case .bool(let flag): flag ? 1 : 0
        case .string, .null, .composite: nil
        }
    }

    /// A bool, or the numbers 0 and 1 (`as? Bool` on an NSNumber took those).
    var bool: Bool? {
        switch self {
        case .bool(let flag): flag
        case .number(let text):
            switch Double(text) {
            case 0?: false
            case 1?: true
            default: nil
            }
        case .string, .null, .composite: nil
        }
    }

    private static func isInteger(_ text: String) -> Bool {
        !text.utf8.contains { $0 == UInt8(ascii: ".") || $0 | 0x20 == UInt8(ascii: "e") }
    }
}
