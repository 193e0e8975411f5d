import Foundation
import TroupeSupport

/// A small JSON writer for the simulator's replies: sorted keys, unescaped slashes, written by
/// hand because JSONSerialization on Linux would cost more than the rest of answering a query.
enum SimJSON {
    static func encode(_ value: Any) -> Data {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        write(value, into: &out)
        return Data(out)
    }

    static func write(_ value: Any, into out: inout [UInt8]) {
        switch value {
        case let text as String: JSONString.append(text, to: &out)
        case let flag as Bool: out.append(contentsOf: flag ? Array("true".utf8) : Array("false".utf8))
        case let number as Int: out.append(contentsOf: String(number).utf8)
        case let number as Int64: out.append(contentsOf: String(number).utf8)
        case let number as UInt64: out.append(contentsOf: String(number).utf8)
        case let number as Double:
            out.append(contentsOf: (number.isFinite ? NumberText.shortest(number) : "null").utf8)
        case let object as [String: Any]:
            out.append(UInt8(ascii: "{"))
            for (index, key) in object.keys.sorted().enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSONString.append(key, to: &out)
                out.append(UInt8(ascii: ":"))
                write(object[key]!, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        case let list as [Any]:
            out.append(UInt8(ascii: "["))
            for (index, item) in list.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                write(item, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case let number as NSNumber: out.append(contentsOf: number.stringValue.utf8)
        default: out.append(contentsOf: "null".utf8)
        }
    }
}
