import TroupeManifest
public import TroupePlan

/// `--locked`, before any credential is read: the paid jobs the plan already shows a run would
/// have to create — new to the lock, the state store and the cache, failed before, or named by
/// `--reroll`. A campaign whose lock lacks renders is refused without Kling keys; the executor
/// checks again with what only the provider can tell (a locked task it no longer knows).
public enum LockedPreflight {
    public static func refusals(_ plan: Plan, only: [String], reroll: [String], lockName: String) -> [LockedRefusal] {
        // A typo in a pattern is the executor's error to report, with its suggestion.
        guard RunSelection.unmatched(plan.jobs, only: only, reroll: reroll).isEmpty else { return [] }
        let selected = RunSelection.selected(plan.jobs, only: only)
        var refused: [LockedRefusal] = []
        for (i, job) in plan.jobs.enumerated() where selected[i] && job.kind.isPaid {
            if job.kind == .render && job.isNamed(byAnyOf: reroll) {
                refused.append(LockedRefusal(job: job.id, units: job.units, reason: "--reroll pays again"))
                continue
            }
            switch job.status {
            case .new: refused.append(LockedRefusal(job: job.id, units: job.units, reason: "not in \(lockName)"))
            case .failed: refused.append(LockedRefusal(job: job.id, units: job.units, reason: "failed in an earlier run; only --reroll renders it again"))
            // A job in doubt is only looked for again: nothing is sent.
            case .cached, .locked, .inFlight, .inDoubt: continue
            }
        }
        return refused
    }
}
