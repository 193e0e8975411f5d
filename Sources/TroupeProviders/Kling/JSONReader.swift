import Foundation

/// The body is not JSON. Callers treat it like any unreadable body.
struct JSONSyntaxError: Error {}

/// A strict pull reader over UTF-8 JSON for Kling's answers: it hands over only the fields a caller
/// asks for and skips (still validating) the rest. Neither `[String: Any]` nor Decodable containers
/// are built; on Linux JSONSerialization (NSNumber bridging) and JSONDecoder (a dictionary per keyed
/// container) spend most of their time there.
///
/// It accepts what JSONSerialization accepted, quirks included (a leading BOM, a trailing comma),
/// and rejects what it rejected (bad UTF-8, lone surrogates, 1e400, nesting deeper than 512).
struct JSONReader {
    static let maxDepth = 512

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index: Int
    private var depth = 0

    /// Reads one document with `body`, which reads its top-level value; nil when `data` is not JSON.
    static func read<T>(_ data: Data, _ body: (inout JSONReader) throws(JSONSyntaxError) -> T) -> T? {
        data.withUnsafeBytes { raw -> T? in
            var reader = JSONReader(bytes: raw.bindMemory(to: UInt8.self))
            do {
                let value = try body(&reader)
                reader.skipWhitespace()
                return reader.index == reader.bytes.count ? value : nil
            } catch {
                return nil
            }
        }
    }

    private init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        index = bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0
    }

    // MARK: Values

    /// When the next value is an object, calls `field` for each member; a member `field` leaves
    /// unread is skipped. Any other value is skipped and gives false.
    @discardableResult
    mutating func readObject(_ field: (JSONKey, inout JSONReader) throws(JSONSyntaxError) -> Void) throws(JSONSyntaxError) -> Bool {
        guard try peek() == UInt8(ascii: "{") else {
            try skipValue()
            return false
        }
        index += 1
        try enter()
        if try peek() == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return true
        }
        while true {
            guard try peek() == UInt8(ascii: "\"") else { throw JSONSyntaxError() }
            let key = JSONKey(bytes: try scanString())
            guard try peek() == UInt8(ascii: ":") else { throw JSONSyntaxError() }
            index += 1
            skipWhitespace()
            let start = index
            try field(key, &self)
            if index == start { try skipValue() }
            if try endOfMember(closing: UInt8(ascii: "}")) { break }
        }
        depth -= 1
        return true
    }

    /// When the next value is an array, calls `element` for each element; an element `element`
    /// leaves unread is skipped. Any other value is skipped and gives false.
    @discardableResult
    mutating func readArray(_ element: (inout JSONReader) throws(JSONSyntaxError) -> Void) throws(JSONSyntaxError) -> Bool {
        guard try peek() == UInt8(ascii: "[") else {
            try skipValue()
            return false
        }
        index += 1
        try enter()
        if try peek() == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return true
        }
        while true {
            skipWhitespace()
            let start = index
            try element(&self)
            if index == start { try skipValue() }
            if try endOfMember(closing: UInt8(ascii: "]")) { break }
        }
        depth -= 1
        return true
    }

    /// Whether the next value is an array; nothing is read.
    mutating func nextIsArray() throws(JSONSyntaxError) -> Bool { try peek() == UInt8(ascii: "[") }

    /// The next value; an object or array is skipped and reads as `.composite`.
    mutating func readScalar() throws(JSONSyntaxError) -> JSONScalar {
        switch try peek() {
        case UInt8(ascii: "\""):
            switch try scanString() {
            case .raw(let raw): return .string(String(decoding: raw, as: UTF8.self))
            case .decoded(let decoded): return .string(String(decoding: decoded, as: UTF8.self))
            }
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "{"), UInt8(ascii: "["): try skipValue(); return .composite
        default: return .number(try scanNumber())
        }
    }

    mutating func skipValue() throws(JSONSyntaxError) {
        switch try peek() {
        case UInt8(ascii: "{"): try readObject { _, _ throws(JSONSyntaxError) in }
        case UInt8(ascii: "["): try readArray { _ throws(JSONSyntaxError) in }
        case UInt8(ascii: "\""): _ = try scanString()
        default: _ = try readScalar()
        }
    }

    // MARK: Scanning

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    /// Skips whitespace and returns the next byte without consuming it.
    private mutating func peek() throws(JSONSyntaxError) -> UInt8 {
        skipWhitespace()
        guard index < bytes.count else { throw JSONSyntaxError() }
        return bytes[index]
    }

    private mutating func enter() throws(JSONSyntaxError) {
        depth += 1
        guard depth <= Self.maxDepth else { throw JSONSyntaxError() }
    }

    /// After a member: true at the closing bracket, false after a comma. JSONSerialization took a trailing comma.
    private mutating func endOfMember(closing: UInt8) throws(JSONSyntaxError) -> Bool {
        let next = try peek()
        index += 1
        if next == closing { return true }
        guard next == UInt8(ascii: ",") else { throw JSONSyntaxError() }
        if try peek() == closing {
            index += 1
            return true
        }
        return false
    }

    private mutating func literal(_ word: StaticString) throws(JSONSyntaxError) {
        let matches = word.withUTF8Buffer { word in
            index + word.count <= bytes.count && bytes[index..<index + word.count].elementsEqual(word)
        }
        guard matches else { throw JSONSyntaxError() }
        index += word.utf8CodeUnitCount
    }

    private func isDigit(_ offset: Int) -> Bool {
        offset < bytes.count && (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[offset])
    }

    /// A number's text, checked against JSON's grammar. Fractions and exponents must be finite doubles.
    private mutating func scanNumber() throws(JSONSyntaxError) -> String {
        let start = index
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard isDigit(index) else { throw JSONSyntaxError() }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while isDigit(index) { index += 1 }
        }
        var integer = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard isDigit(index) else { throw JSONSyntaxError() }
            while isDigit(index) { index += 1 }
            integer = false
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard isDigit(index) else { throw JSONSyntaxError() }
            while isDigit(index) { index += 1 }
            integer = false
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        if !integer, Double(text)?.isFinite != true { throw JSONSyntaxError() }
        return text
    }

    /// A string's bytes (the next byte is its opening quote): raw when it has no escapes.
    private mutating func scanString() throws(JSONSyntaxError) -> StringBytes {
        index += 1
        let start = index
        var decoded: [UInt8]?
        var run = start
        while index < bytes.count {
            // Plain ASCII, the bulk of a body, in a tight loop.
            while index < bytes.count, case let byte = bytes[index], byte >= 0x20, byte < 0x80, byte != 0x22, byte != 0x5C {
                index += 1
            }
            guard index < bytes.count else { break }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                defer { index += 1 }
                guard var decoded else { return .raw(UnsafeBufferPointer(rebasing: bytes[start..<index])) }
                decoded.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<index]))
                return .decoded(decoded)
            case UInt8(ascii: "\\"):
                var out = decoded ?? []
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<index]))
                index += 1
                try unescape(into: &out)
                decoded = out
                run = index
            case 0..<0x20:
                throw JSONSyntaxError()
            case 0x80...:
                try skipUTF8Sequence()
            default:
                index += 1
            }
        }
        throw JSONSyntaxError()
    }

    /// One escape after its backslash; \u surrogates must pair.
    private mutating func unescape(into out: inout [UInt8]) throws(JSONSyntaxError) {
        guard index < bytes.count else { throw JSONSyntaxError() }
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(byte)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            var value = UInt32(try hex4())
            if (0xD800...0xDBFF).contains(value) {
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                    throw JSONSyntaxError()
                }
                index += 2
                let low = UInt32(try hex4())
                guard (0xDC00...0xDFFF).contains(low) else { throw JSONSyntaxError() }
                value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(value) {
                throw JSONSyntaxError()
            }
            guard let scalar = Unicode.Scalar(value) else { throw JSONSyntaxError() }
            UTF8.encode(scalar) { out.append($0) }
        default:
            throw JSONSyntaxError()
        }
    }

    private mutating func hex4() throws(JSONSyntaxError) -> UInt16 {
        guard index + 4 <= bytes.count else { throw JSONSyntaxError() }
        var value: UInt16 = 0
        for byte in bytes[index..<index + 4] {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw JSONSyntaxError()
            }
            value = value << 4 | UInt16(digit)
        }
        index += 4
        return value
    }

    /// One well-formed multi-byte UTF-8 sequence (Unicode table 3-7: no overlongs, no surrogates).
    private mutating func skipUTF8Sequence() throws(JSONSyntaxError) {
        let lead = bytes[index]
        let length: Int
        var second: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; second = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; second = 0x80...0x9F
        case 0xF0: length = 4; second = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; second = 0x80...0x8F
        default: throw JSONSyntaxError()
        }
        guard index + length <= bytes.count, second.contains(bytes[index + 1]) else { throw JSONSyntaxError() }
        for offset in 2..<length where !(0x80...0xBF).contains(bytes[index + offset]) { throw JSONSyntaxError() }
        index += length
    }
}
