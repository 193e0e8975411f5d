internal import CFFmpeg

/// A time base or frame rate, as FFmpeg's AVRational but Swift-native.
struct Rational: Equatable, Hashable, Sendable {
    var num: Int
    var den: Int

    init(_ num: Int, _ den: Int) { self.num = num; self.den = den }
    init(_ r: AVRational) { num = Int(r.num); den = Int(r.den) }

    var av: AVRational { AVRational(num: Int32(num), den: Int32(den)) }
    var value: Double { den == 0 ? 0 : Double(num) / Double(den) }
    var inverted: Rational { Rational(den, num) }
    var isValid: Bool { num > 0 && den > 0 }

    /// Ticks in this time base for `seconds`.
    func ticks(_ seconds: Double) -> Int64 { Int64((seconds * Double(den) / Double(num)).rounded()) }
    /// Seconds for `ticks` in this time base.
    func seconds(_ ticks: Int64) -> Double { Double(ticks) * Double(num) / Double(den) }

    /// Converts ticks from this time base to another, rounding to nearest.
    func rescale(_ ticks: Int64, to target: Rational) -> Int64 {
        av_rescale_q(ticks, av, target.av)
    }

    /// A frame rate close to `fps` as a rational (30000/1001 for 29.97).
    static func frameRate(_ fps: Double) -> Rational {
        let r = av_d2q(fps, 100_000)
        return Rational(r)
    }
}
