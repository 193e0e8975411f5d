import Foundation
import TroupePlan
import TroupeRun
import TroupeState

/// Jobs in doubt (fal): said at the end of every run that meets them, and before a run that
/// sends them again.
extension RunCommand {
    /// The end of a run: each job in doubt, what it may have cost, and the two ways on.
    func inDoubtLines(_ jobs: [InDoubtJob], unit: String) {
        guard !jobs.isEmpty else { return }
        let total = jobs.reduce(0) { $0 + $1.units }
        var text = "in doubt: \(jobs.count) render(s) whose submit may have been queued (and paid) though its answer was lost; they may have cost \(Units.format(total)) \(unit):\n"
        for j in jobs { text += "  in doubt \(j.id) (\(Units.format(j.units)) \(unit))\n" }
        text += "they are not sent again: check fal's dashboard (Requests), then `troupe run --retry-in-doubt` to send them again (paying again if the first was queued), or leave them\n"
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// `--retry-in-doubt`: before anything is sent, what may be paid twice.
    func announceRetries(plan: Plan, store: any StateStoring) async {
        guard let rows = try? await store.states() else { return }
        let doubtful = Set(rows.lazy.filter { $0.state == .inDoubt }.map(\.key))
        let jobs = plan.jobs.filter { job in
            doubtful.contains(job.key) && (only.isEmpty || job.isNamed(byAnyOf: only))
        }
        let unit = plan.table.unit
        guard !jobs.isEmpty else {
            FileHandle.standardError.write(Data("--retry-in-doubt: no render is in doubt\n".utf8))
            return
        }
        let total = jobs.reduce(0) { $0 + $1.units }
        var text = "--retry-in-doubt: sending again \(jobs.count) render(s) in doubt; if fal did queue the first submit, each is paid twice — up to \(Units.format(total)) \(unit) more:\n"
        for j in jobs { text += "  \(j.id) (\(Units.format(j.units)) \(unit))\n" }
        FileHandle.standardError.write(Data(text.utf8))
    }
}
