import Foundation

/// The budget re-checked while running: a new paid job starts only if what the provider has
/// actually deducted so far, plus what jobs in flight are expected to cost, plus its own
/// price stays within `max_units`. Prices that turn out higher than planned stop new work.
/// A lock, not an actor: nothing here waits, so nothing needs to suspend.
final class BudgetGuard: @unchecked Sendable {
    let maxUnits: Double?
    private let lock = NSLock()
    private var _charged = 0.0
    private var reserved = 0.0
    private var exceeded: String?

    init(maxUnits: Double?) {
        self.maxUnits = maxUnits
    }

    struct Refused: Error, CustomStringConvertible {
        var description: String
    }

    var charged: Double { lock.withLock { _charged } }

    /// Reserves a new job's planned price, or refuses it (and every later one).
    func reserve(_ units: Double, job: String) throws(Refused) {
        lock.lock()
        defer { lock.unlock() }
        if let exceeded { throw Refused(description: exceeded) }
        guard let maxUnits else { return }
        if _charged + reserved + units > maxUnits + 1e-9 {
            let message = "budget reached at run time: \(fmt(_charged)) units deducted and \(fmt(reserved)) in flight; \(job) (\(fmt(units))) would pass max_units \(fmt(maxUnits)) by \(fmt(_charged + reserved + units - maxUnits))"
            exceeded = message
            throw Refused(description: message)
        }
        reserved += units
    }

    /// A job ended: its reservation goes, what the provider deducted stays.
    func settle(reserved units: Double, charged deducted: Double) {
        lock.withLock {
            reserved = max(0, reserved - units)
            _charged += deducted
        }
    }

    private func fmt(_ x: Double) -> String {
        x == x.rounded() ? String(Int(x)) : String(format: "%.2f", x)
    }
}
