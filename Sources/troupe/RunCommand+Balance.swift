import Foundation
import TroupePlan
import TroupeProviders
import TroupeSupport

/// Balance before paying: on a provider with prepaid resource packs, the run reads what they
/// hold before its first create and refuses when the plan's new units are more.
enum BalanceCheck {
    enum Verdict: Equatable {
        case enough
        /// Remaining units across usable packs, and what the plan would spend.
        case short(remaining: Double, needed: Double)
        /// The balance could not be read: the run goes on with a warning.
        case unknown(String)
    }

    static func verdict(needed: Double, provider: any RemoteProvider) async -> Verdict {
        guard needed > 0 else { return .enough }
        let packs: [ResourcePack]
        do {
            guard let listed = try await provider.resourcePacks() else { return .enough }
            packs = listed
        } catch {
            return .unknown("could not read the account's resource packs (\(error))")
        }
        // No pack listed is no figure to compare: the run goes on, and a create says 1102
        // (which stops new creates) if nothing can pay.
        guard !packs.isEmpty else { return .enough }
        let remaining = packs.filter(\.isUsable).reduce(0) { $0 + $1.remaining }
        return needed > remaining + 1e-9 ? .short(remaining: remaining, needed: needed) : .enough
    }

    /// Says what the verdict means; true when the run must stop (exit 3, nothing created).
    static func report(_ verdict: Verdict, unit: String) -> Bool {
        let err = FileHandle.standardError
        switch verdict {
        case .enough:
            return false
        case .unknown(let why):
            err.write(Data("warning: \(why); running without the balance check\n".utf8))
            return false
        case .short(let remaining, let needed):
            err.write(Data(("error: this run would spend \(Units.format(needed)) \(unit) and the account's resource packs hold "
                + "\(Units.format(remaining)) \(unit) (Kling's figure lags the charges by up to 12 hours)\n"
                + "buy a resource pack, run fewer cells (--only), or pass --ignore-balance to run anyway; nothing was created\n").utf8))
            return true
        }
    }
}
