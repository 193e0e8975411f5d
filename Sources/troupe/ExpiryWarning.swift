import Foundation
import TroupePlan
import TroupeCache

/// Locked renders old enough that the provider will soon delete their results (Kling keeps
/// them 30 days), whose files no shared cache holds: `status`, `verify` and `report` say so
/// while there is time to push them, since a clone without them would render them again, paid.
enum ExpiryWarning {
    /// The warning's lines (what, why, what to do), empty when nothing is at risk: `write`
    /// prints them, the report shows them. The shared cache (`--cache`, else
    /// TROUPE_CACHE_URL) is asked only when some render is old enough.
    static func lines(lock: Lockfile?, sharedCacheURL: String? = nil, now: Date = Date()) async -> [String] {
        guard var aging = lock?.aging(now: now), !aging.isEmpty else { return [] }
        var holder = "no shared cache holds their files"
        var push = "troupe cache push --cache s3://BUCKET/PREFIX (or set TROUPE_CACHE_URL)"
        do {
            if let shared = try SharedCache.open(url: sharedCacheURL) {
                let held = Set(try await shared.list().map(\.sha256))
                aging.removeAll { $0.sha256.map(held.contains) ?? false }
                holder = "\(shared.location.description) does not hold their files"
                push = "troupe cache push"
            }
        } catch {
            holder = "the shared cache could not be checked (\(error))"
        }
        guard !aging.isEmpty else { return [] }
        let named = aging.prefix(5).map { "\($0.name) (\($0.days) days)" }.joined(separator: ", ")
            + (aging.count > 5 ? ", … and \(aging.count - 5) more" : "")
        return [
            "\(aging.count) locked render(s) were made \(Lockfile.expiryWarningDays) or more days ago and \(holder): \(named)",
            "the provider deletes results \(Lockfile.providerKeepsDays) days after making them; a clone without these files would render them again, paid",
            "keep them: \(push)",
        ]
    }

    /// Writes `lines` to standard error as one warning: `warning:` first, the rest indented.
    static func write(_ lines: [String]) {
        guard let first = lines.first else { return }
        let text = (["warning: " + first] + lines.dropFirst().map { "  " + $0 }).joined(separator: "\n") + "\n"
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Finds and writes the warning (status, verify).
    static func print(lock: Lockfile?, sharedCacheURL: String? = nil) async {
        write(await lines(lock: lock, sharedCacheURL: sharedCacheURL))
    }
}
