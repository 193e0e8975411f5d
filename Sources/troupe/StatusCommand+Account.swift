import ArgumentParser
import Foundation
import TroupeNet
import TroupePlan
import TroupeProviders
import TroupeSupport

extension StatusCommand {
    /// `--account`: the Kling account's resource packs, read with the campaign's credentials.
    func printResourcePacks(_ plan: Plan) async throws {
        guard plan.provider.use == .kling else {
            FileHandle.standardError.write(Data("error: --account lists Kling resource packs; this campaign runs on \(plan.provider.use.rawValue)\n".utf8))
            throw ExitCode(2)
        }
        let packs: [ResourcePack]
        do {
            let client = try KlingClient.fromEnvironment(region: KlingRegion(rawValue: plan.provider.region.rawValue) ?? .singapore,
                                                         http: HTTPClient())
            packs = try await client.resourcePacks()
        } catch {
            FileHandle.standardError.write(Data("error: reading the account's resource packs: \(error)\n".utf8))
            throw ExitCode(1)
        }
        print("Kling resource packs (the remaining figure lags the charges by up to 12 hours):")
        if packs.isEmpty { print("  none bought in the last 400 days") }
        for p in packs {
            let expiry = p.expires.map { " until \(UTCStamp.iso($0).prefix(10))" } ?? ""
            print("  \(p.name): \(Units.format(p.remaining)) of \(Units.format(p.total)) units left, \(p.status)\(expiry)")
        }
        let usable = packs.filter(\.isUsable).reduce(0) { $0 + $1.remaining }
        print("  usable now: \(Units.format(usable)) units")
    }
}
