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
    private var exceeded: BudgetRefusal?
    /// The account refused a create (1100–1103): no paid job starts after it.
    private var stopped: AccountStop?

    init(maxUnits: Double?) {
        self.maxUnits = maxUnits
    }

    var charged: Double { lock.withLock { _charged } }

    /// Why no new create may be sent, once the account said so.
    var accountStop: AccountStop? { lock.withLock { stopped } }

    /// The account refused a create: every later paid job is refused before it creates.
    func stopCreating(_ stop: AccountStop) {
        lock.withLock { if stopped == nil { stopped = stop } }
    }

    /// Reserves a new job's planned price, or refuses it (and every later one).
    func reserve(_ units: Double, job: String) throws {
        lock.lock()
        defer { lock.unlock() }
        if let stopped { throw stopped }
        if let exceeded { throw exceeded }
        guard let maxUnits else { return }
        if _charged + reserved + units > maxUnits + 1e-9 {
            let refusal = BudgetRefusal(charged: _charged, inFlight: reserved, job: job, units: units, maxUnits: maxUnits)
            exceeded = refusal
            throw refusal
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

/// The budget stopped new paid work at run time: what was deducted and in flight when the first
/// job that would pass `max_units` asked to start. Every later paid job is refused the same way.
public struct BudgetRefusal: Error, Equatable, CustomStringConvertible {
    public var charged: Double
    public var inFlight: Double
    /// The job refused first, and its planned price.
    public var job: String
    public var units: Double
    public var maxUnits: Double

    public var description: String {
        "budget reached at run time: \(NumberText.fixed(charged, decimals: 2)) units deducted and "
            + "\(NumberText.fixed(inFlight, decimals: 2)) in flight; \(job) (\(NumberText.fixed(units, decimals: 2))) would pass "
            + "max_units \(NumberText.fixed(maxUnits, decimals: 2)) by \(NumberText.fixed(charged + inFlight + units - maxUnits, decimals: 2))"
    }
}

/// The account refused a create for a reason no retry fixes (1100 account, 1101 arrears, 1102
/// resource pack used up or expired, 1103 no permission): the run sends no create after it,
/// follows the tasks already accepted to their end, and says what to do.
public struct AccountStop: Error, Equatable, CustomStringConvertible {
    public var code: Int
    /// The provider's words, with what to do.
    public var message: String

    public var description: String { message }
}
