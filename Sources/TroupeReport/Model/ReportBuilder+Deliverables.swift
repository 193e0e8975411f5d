import Foundation
import TroupeManifest
import TroupePlan
import TroupeSupport

extension ReportBuilder {
    /// Width in pixels of a deliverable's picture on the page (shown at up to 240 CSS pixels).
    static let deliverablePosterWidth = 320

    /// The deliverables grouped by platform — presets in the preset table's order, then sizes
    /// in the order the manifest names them — and the pictures they need.
    func buildDeliverables() -> ([ReportPage.DeliverableGroup], [PosterRequest]) {
        let manifest = plan.manifest
        // Post jobs by every name they stand for (identical deliverables share one job).
        var postJob: [String: Int] = [:]
        for (j, job) in plan.jobs.enumerated() where job.kind == .post {
            for name in job.names where postJob[name] == nil { postJob[name] = j }
        }
        let folder = manifest.baseDirectory + (plan.outputFolder.isEmpty ? "" : "/" + plan.outputFolder)
        var groups: [ReportPage.DeliverableGroup] = []
        var posters: [PosterRequest] = []
        for output in plan.outputs {
            guard let d = manifest.outputs[output.spec].delivery, let j = postJob[output.name] else { continue }
            let preset = Plan.preset(d, platform: output.platform)
            let job = plan.jobs[j], record = records[job.key]
            let mp4 = folder + "/" + output.name + ".mp4"
            var item = ReportPage.Deliverable(name: output.name, platform: preset.name, width: preset.width, height: preset.height,
                                              status: .new, seconds: job.duration)
            if let measured = lock?.outputs[output.name].flatMap({ $0.key == job.key ? $0.duration : nil }) ?? record?.resultDuration {
                item.seconds = measured
            }
            if finished(job), fileExists(mp4) {
                item.status = .done
                item.video = RelativePath.from(reportDirectory, to: mp4)
                item.bytes = FileStats.statNow(mp4).map { Int($0.size) }
                // Its own poster when it has one, else a frame of the MP4, made at the page's size.
                let jpg = folder + "/" + output.name + ".jpg"
                let own = postJob[output.name + ".jpg"].map { plan.jobs[$0] }.flatMap { finished($0) && fileExists(jpg) ? $0 : nil }
                if own != nil { item.posterFile = RelativePath.from(reportDirectory, to: jpg) }
                let source = own.map { ($0.key, jpg) } ?? (job.key, mp4)
                let p = PosterRequest(name: "deliverable-\(source.0)-\(Self.deliverablePosterWidth).jpg",
                                      source: .frame(path: source.1, at: nil), width: Self.deliverablePosterWidth)
                posters.append(p)
                item.poster = p.href
                let gif = folder + "/" + output.name + ".gif"
                if let g = postJob[output.name + ".gif"], finished(plan.jobs[g]), fileExists(gif) {
                    item.gif = RelativePath.from(reportDirectory, to: gif)
                }
            } else if record?.state == .failed || record?.state == .stalled {
                item.status = .failed
                item.reason = record?.lastError ?? "the post-step failed without a message"
            }
            if let g = groups.firstIndex(where: { $0.platform == preset.name }) {
                groups[g].items.append(item)
            } else {
                groups.append(ReportPage.DeliverableGroup(platform: preset.name, width: preset.width, height: preset.height, items: [item]))
            }
        }
        let order = PlatformPreset.names
        let sorted = groups.enumerated().sorted { a, b in
            (order.firstIndex(of: a.element.platform) ?? order.count + a.offset)
                < (order.firstIndex(of: b.element.platform) ?? order.count + b.offset)
        }.map(\.element)
        return (sorted, posters)
    }

    /// Made by an earlier run (locked or cached) or by this one (fetched).
    private func finished(_ job: Job) -> Bool {
        job.status == .locked || job.status == .cached || records[job.key]?.state == .fetched
    }
}
