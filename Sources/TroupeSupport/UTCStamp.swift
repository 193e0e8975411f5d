public import Foundation

/// Millisecond UTC timestamps as text, formatted by hand: every state change writes two to
/// SQLite and every event one to NDJSON, and Foundation's and GRDB's formatters cost more
/// than the rest of writing the row.
public enum UTCStamp {
    /// `2026-11-25 21:05:38.123`, the text GRDB stores and reads back as a Date.
    public static func sql(_ date: Date) -> String { format(date, separator: " ", zone: "") }

    /// `2026-11-25T21:05:38.123Z` (ISO 8601).
    public static func iso(_ date: Date) -> String { format(date, separator: "T", zone: "Z") }

    /// `2026-11-25T21:05:38Z`: whole seconds, for files people read and diff (the lock).
    public static func isoSeconds(_ date: Date) -> String { format(date, separator: "T", zone: "Z", fractions: false) }

    /// The date of `isoSeconds` text (fractions allowed); nil for anything else.
    public static func date(iso text: String) -> Date? {
        let parts = text.split(whereSeparator: { "-T:Z.".contains($0) })
        guard text.hasSuffix("Z"), parts.count >= 6, parts.count <= 7 else { return nil }
        let n = parts.map { Int($0) }
        guard !n.contains(nil) else { return nil }
        var t = tm()
        t.tm_year = Int32(n[0]! - 1900); t.tm_mon = Int32(n[1]! - 1); t.tm_mday = Int32(n[2]!)
        t.tm_hour = Int32(n[3]!); t.tm_min = Int32(n[4]!); t.tm_sec = Int32(n[5]!)
        let fraction = parts.count == 7 ? Double("0." + parts[6]) ?? 0 : 0
        return Date(timeIntervalSince1970: Double(timegm(&t)) + fraction)
    }

    private static func format(_ date: Date, separator: Character, zone: String, fractions: Bool = true) -> String {
        let ms = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = time_t(ms.quotient(dividingBy: 1000))
        var t = tm()
        gmtime_r(&seconds, &t)
        var out = ""
        out.reserveCapacity(24)
        func digits(_ v: Int, _ width: Int) {
            let s = String(v)
            if s.count < width { out += String(repeating: "0", count: width - s.count) }
            out += s
        }
        digits(Int(t.tm_year) + 1900, 4); out += "-"; digits(Int(t.tm_mon) + 1, 2); out += "-"; digits(Int(t.tm_mday), 2)
        out.append(separator)
        digits(Int(t.tm_hour), 2); out += ":"; digits(Int(t.tm_min), 2); out += ":"; digits(Int(t.tm_sec), 2)
        if fractions { out += "."; digits(Int(ms.remainder(dividingBy: 1000)), 3) }
        return out + zone
    }
}

private extension Int64 {
    /// Floor division, so dates before 1970 keep a positive millisecond part.
    func quotient(dividingBy d: Int64) -> Int64 { self >= 0 ? self / d : (self - d + 1) / d }
    func remainder(dividingBy d: Int64) -> Int64 { self - quotient(dividingBy: d) * d }
}
