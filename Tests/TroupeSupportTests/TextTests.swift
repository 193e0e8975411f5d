import Foundation
import Testing
import TroupeSupport

@Suite struct TextTests {
    @Test func hexIsLowercaseTwoDigitsPerByte() {
        #expect(Hex.lowercase([0x00, 0x0f, 0xa5, 0xff]) == "000fa5ff")
        #expect(Hex.lowercase([UInt8]()) == "")
        #expect(Hex.lowercase(Array(0...255)) == (0...255).map { String(format: "%02x", $0) }.joined())
    }

    /// Output JSON is what JSONSerialization writes (slashes left alone), so request bodies and
    /// every printed document read back the same.
    @Test(arguments: ["plain", "", "q\"b\\s/t\tn\nr\r\u{8}\u{c}\u{1}\u{1f}\u{7f}", "é 日本語 🎬👩‍👩‍👧 \u{2028}"])
    func jsonStringMatchesJSONSerialization(_ text: String) throws {
        let serialized = try JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])
        let expected = String(decoding: serialized.dropFirst().dropLast(), as: UTF8.self)
        #expect(JSONString.quote(text) == expected)
        var bytes: [UInt8] = []
        JSONString.append(text, to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == expected)
        #expect(try JSONSerialization.jsonObject(with: Data(JSONString.quote(text).utf8), options: .fragmentsAllowed) as? String == text)
    }

    @Test func numbersPrintAsWritten() {
        #expect(NumberText.shortest(6) == "6")
        #expect(NumberText.shortest(-0.0) == "0")
        #expect(NumberText.shortest(6.5) == "6.5")
        #expect(NumberText.shortest(0.1 + 0.2) == "0.30000000000000004")
        #expect(NumberText.shortest(0.1 + 0.2, roundedTo: 6) == "0.3")
        #expect(NumberText.shortest(24.299999999999997, roundedTo: 3) == "24.3")
        #expect(NumberText.shortest(6.6000001, roundedTo: 2) == "6.6")
        #expect(NumberText.shortest(0.845, roundedTo: 2) == "0.84" || NumberText.shortest(0.845, roundedTo: 2) == "0.85")
        #expect(NumberText.shortest(-1.5, roundedTo: 2) == "-1.5")
        #expect(NumberText.shortest(12.004, roundedTo: 2) == "12")
        #expect(NumberText.fixed(12, decimals: 2) == "12")
        #expect(NumberText.fixed(2.5, decimals: 2) == "2.50")
        #expect(NumberText.fixed(2.25, decimals: 1) == "2.2" || NumberText.fixed(2.25, decimals: 1) == "2.3")
    }

    /// Two decimals by rounding to cents, as the report and the plan table print units.
    @Test func twoDecimalsAgreeWithCentArithmetic() {
        for cents in -1_000...100_000 {
            let v = Double(cents) / 100 + 0.0004
            let c = Int64((v * 100).rounded())
            let whole = c / 100, frac = abs(c % 100)
            let sign = c < 0 && whole == 0 ? "-" : ""
            let byCents = frac == 0 ? "\(sign)\(whole)"
                : "\(sign)\(whole)." + (frac % 10 == 0 ? "\(frac / 10)" : (frac < 10 ? "0\(frac)" : "\(frac)"))
            #expect(NumberText.shortest(v, roundedTo: 2) == byCents)
        }
    }

    @Test func utcStampsAreMillisecondUTC() {
        let date = Date(timeIntervalSince1970: 1_795_900_000.1239)
        #expect(UTCStamp.iso(date) == "2026-11-28T21:06:40.123Z")
        #expect(UTCStamp.sql(date) == "2026-11-28 21:06:40.123")
    }

    @Test func parallelMapKeepsOrder() {
        #expect(parallelMap(10_000, inlineBelow: 100) { $0 * 2 } == (0..<10_000).map { $0 * 2 })
        #expect(parallelMap(3, inlineBelow: 100) { $0 } == [0, 1, 2])
        #expect(parallelMap(0, inlineBelow: 100) { $0 }.isEmpty)
    }
}

@Suite struct KlingLimitBoundsTests {
    /// Every bound is inclusive, with a millisecond of slack for measured lengths: a 3.0 s clip
    /// probed as 2.9996 s passes; 2.998 s does not.
    @Test func lengthBoundsAreInclusiveWithSlack() {
        #expect(!KlingLimits.clipIsTooShort(3))
        #expect(!KlingLimits.clipIsTooShort(2.9996))
        #expect(KlingLimits.clipIsTooShort(2.998))
        #expect(!KlingLimits.clipIsTooLong(10, orientation: .image))
        #expect(!KlingLimits.clipIsTooLong(10.0005, orientation: .image))
        #expect(KlingLimits.clipIsTooLong(10.002, orientation: .image))
        #expect(!KlingLimits.clipIsTooLong(30, orientation: .video))
        #expect(KlingLimits.clipIsTooLong(30.01, orientation: .video))
        #expect(!KlingLimits.elementLengthIsOutOfRange(3) && !KlingLimits.elementLengthIsOutOfRange(8))
        #expect(KlingLimits.elementLengthIsOutOfRange(2.99) && KlingLimits.elementLengthIsOutOfRange(8.01))
        #expect(Orientation.image.maxClipSeconds == 10 && Orientation.video.maxClipSeconds == 30)
    }
}
