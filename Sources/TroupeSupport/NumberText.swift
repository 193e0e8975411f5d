import Foundation

/// Numbers as people write them in messages and output: `24.3`, not `24.299999999999997`;
/// `6`, not `6.0`.
///
/// Content keys do not use this: their number encoding is part of the key and lives with
/// them (TroupePlan/Keys, docs/keys.md).
public enum NumberText {
    /// Whole numbers without a fraction, others as the shortest decimal that reads back as
    /// the same Double.
    public static func shortest(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : String(x)
    }

    /// Rounded to `decimals` places first, so sums of decimal prices and measured lengths print
    /// as written (6.3, not 6.300000000000001); no trailing zeros.
    public static func shortest(_ x: Double, roundedTo decimals: Int) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        return shortest((x * scale).rounded() / scale)
    }

    /// A length of time as people read it: `0.4 s`, `12.3 s`, `4 min 05 s`, `1 h 02 min`.
    public static func duration(_ seconds: Double) -> String {
        if seconds < 59.95 { return shortest(max(seconds, 0), roundedTo: 1) + " s" }
        let s = Int(seconds.rounded())
        if s < 3600 { return "\(s / 60) min \(s % 60 < 10 ? "0" : "")\(s % 60) s" }
        return "\(s / 3600) h \(s % 3600 / 60 < 10 ? "0" : "")\(s % 3600 / 60) min"
    }

    /// Whole numbers without a fraction, others with exactly `decimals` places (`2.50`): for
    /// figures read side by side, such as a budget's units.
    public static func fixed(_ x: Double, decimals: Int) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : String(format: "%.\(decimals)f", x)
    }
}
