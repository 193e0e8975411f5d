import Foundation

/// Numbers and dates as the page prints them.
enum Figures {
    /// At most two decimals, no trailing zeros: 6.6, 12, 0.84.
    static func units(_ v: Double) -> String {
        let cents = Int64((v * 100).rounded())
        let whole = cents / 100, frac = abs(cents % 100)
        let sign = cents < 0 && whole == 0 ? "-" : ""
        if frac == 0 { return "\(sign)\(whole)" }
        let digits = frac % 10 == 0 ? "\(frac / 10)" : (frac < 10 ? "0\(frac)" : "\(frac)")
        return "\(sign)\(whole).\(digits)"
    }

    static func usd(_ v: Double) -> String {
        let cents = Int64((v * 100).rounded())
        let frac = abs(cents % 100)
        return "$\(cents / 100).\(frac < 10 ? "0" : "")\(frac)"
    }

    /// A clip length: 4 s, 5.5 s.
    static func seconds(_ v: Double) -> String { units((v * 10).rounded() / 10) + " s" }

    static func date(_ d: Date) -> String { formatter.string(from: d) }

    static func isoDate(_ d: Date) -> String { ISO8601DateFormatter().string(from: d) }

    private static let formatter: DateFormatter = {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
        return f
    }()
}
