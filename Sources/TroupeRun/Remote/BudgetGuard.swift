/// The budget re-checked while running: a new paid job starts only if what the provider has
/// actually deducted so far, plus what jobs in flight are expected to cost, plus its own
/// price stays within `max_units`. Prices that turn out higher than planned stop new work.
actor BudgetGuard {
    let maxUnits: Double?
    private(set) var charged = 0.0
    private var reserved = 0.0
    private(set) var exceeded: String?

    init(maxUnits: Double?) {
        self.maxUnits = maxUnits
    }

    struct Refused: Error, CustomStringConvertible {
        var description: String
    }

    /// Reserves a new job's planned price, or refuses it (and every later one).
    func reserve(_ units: Double, job: String) throws {
        if let exceeded { throw Refused(description: exceeded) }
        guard let maxUnits else { return }
        if charged + reserved + units > maxUnits + 1e-9 {
            let message = "budget reached at run time: \(fmt(charged)) units deducted and \(fmt(reserved)) in flight; \(job) (\(fmt(units))) would pass max_units \(fmt(maxUnits)) by \(fmt(charged + reserved + units - maxUnits))"
            exceeded = message
            throw Refused(description: message)
        }
        reserved += units
    }

    /// A job ended: its reservation goes, what the provider deducted stays.
    func settle(reserved units: Double, charged deducted: Double) {
        reserved = max(0, reserved - units)
        charged += deducted
    }

    private func fmt(_ x: Double) -> String {
        x == x.rounded() ? String(Int(x)) : String(format: "%.2f", x)
    }
}
