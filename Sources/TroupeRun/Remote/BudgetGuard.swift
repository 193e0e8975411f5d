import Foundation
import TroupeSupport

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
            let message = "budget reached at run time: \(NumberText.fixed(_charged, decimals: 2)) units deducted and "
                + "\(NumberText.fixed(reserved, decimals: 2)) in flight; \(job) (\(NumberText.fixed(units, decimals: 2))) would pass "
                + "max_units \(NumberText.fixed(maxUnits, decimals: 2)) by \(NumberText.fixed(_charged + reserved + units - maxUnits, decimals: 2))"
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
}
