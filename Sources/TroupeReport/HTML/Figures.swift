import Foundation
import TroupeSupport

/// Money, lengths and dates as the page prints them (units: `Units.format`).
enum Figures {
    static func usd(_ v: Double) -> String {
        let cents = Int64((v * 100).rounded())
        let frac = abs(cents % 100)
        return "$\(cents / 100).\(frac < 10 ? "0" : "")\(frac)"
    }

    /// A clip length: 4 s, 5.5 s.
    static func seconds(_ v: Double) -> String { NumberText.shortest(v, roundedTo: 1) + " s" }

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
