public import Foundation
public import TroupePlan
import TroupeMedia
import TroupeSupport
public import TroupeState

/// `troupe report`'s pipeline: page model (from the plan, the state store and the files) →
/// posters (made or reused) → HTML, written into one self-contained folder.
public enum CampaignReport {
    public struct Result: Sendable {
        public var page: ReportPage
        public var directory: String
        public var indexPath: String
        public var posters: PosterStore.Outcome
        /// The size of index.html in bytes.
        public var htmlBytes: Int
    }

    /// `report/` in the folder the plan exports to (`out/report/` for a `troupe.yaml`): beside
    /// the outputs it links to, out of git like them, and never shared by two manifests.
    public static func defaultDirectory(for plan: Plan) -> String {
        let folder = ExportIndex(plan).folder
        return plan.manifest.baseDirectory + (folder.isEmpty ? "" : "/" + folder) + "/report"
    }

    /// Writes `directory/index.html` and `directory/posters/`. `store` is nil for a campaign
    /// that has never run (no state store): the cells then show what the plan would pay.
    public static func write(plan: Plan, store: (any StateStoring)?, lock: Lockfile?, stateDirectory: String,
                             to directory: String, diff: PlanDiff? = nil, warnings: [String] = [],
                             now: Date = Date()) async throws -> Result {
        let dir = URL(fileURLWithPath: directory).standardizedFileURL.path
        let records = try await store?.records(keys: plan.jobs.map(\.key)) ?? [:]
        let digests = DigestCache(directory: stateDirectory)
        var builder = ReportBuilder(
            plan: plan, records: records, lock: lock, reportDirectory: dir,
            digest: { try? digests.digest(ofFile: $0) },
            probeSeconds: { path in (try? MediaProbe.probe(path)).map(\.durationSeconds) })
        builder.now = now
        var (page, requests) = builder.build()
        if let diff { page.apply(diff) }
        page.warnings = warnings
        // A timeline the store cannot give leaves the section out; the page stands without it.
        page.timeline = (try? await store?.lastTimeline(campaign: Campaign.stateName(forManifest: plan.manifest.path))) ?? nil
        try? digests.save()

        try AtomicFile.makeFolder(dir)
        let outcome = try PosterStore(stateDirectory: stateDirectory).provide(requests, into: dir)
        if !outcome.failed.isEmpty { page.dropPictures(Set(outcome.failed.keys.map { "posters/" + $0 })) }
        let html = Array(ReportHTML.render(page).utf8)
        let index = dir + "/index.html"
        try AtomicFile.write(html, to: index)
        return Result(page: page, directory: dir, indexPath: index, posters: outcome, htmlBytes: html.count)
    }
}

extension ReportPage {
    /// Forgets pictures that could not be made: the page shows the cell's placeholder instead
    /// of a broken image.
    mutating func dropPictures(_ hrefs: Set<String>) {
        func keep(_ href: String?) -> String? { href.flatMap { hrefs.contains($0) ? nil : $0 } }
        for i in cells.indices { cells[i].poster = keep(cells[i].poster) }
        for i in characters.indices { characters[i].image = keep(characters[i].image) }
        for i in clips.indices { clips[i].poster = keep(clips[i].poster) }
        for i in reels.indices { reels[i].filmstrip = keep(reels[i].filmstrip) }
        for g in deliverables.indices {
            for i in deliverables[g].items.indices { deliverables[g].items[i].poster = keep(deliverables[g].items[i].poster) }
        }
    }
}
