import TroupePlan
import TroupeSupport
import TroupeCache
import TroupeState

/// Writes the manifest's lock from the state store: one entry per element, render and output
/// of the plan that has finished; entries of unfinished jobs are kept from the old lock if
/// their key is unchanged. A job shared by several names records its task once, under its own
/// name; the others point at it (`same_as`), so the lock's units add up to what was charged.
struct LockWriter {
    let plan: Plan
    let store: any StateStoring
    let cache: ResultCache
    let path: String

    /// Rewrites the lock when what it should say differs from `old` (what the run found).
    func write(old: Lockfile?) async throws {
        let records = try await store.records(keys: plan.jobs.filter { $0.kind == .render || $0.kind == .element || $0.kind == .post }.map(\.key))
        let lock = Self.derive(plan.jobs, records: records, old: old, outputExported: outputExported)
        if lock != old { try AtomicFile.write(try lock.encoded(), to: cache.project.checkWritable(path)) }
    }

    /// Whether an output's export (its MP4, or a deliverable's poster or GIF) is in out/: its cache object's inode, or (a copy on another
    /// file system) a regular file of its size — a stat, not a hash: the lock is written now and
    /// then during a run.
    func outputExported(_ output: String, sha: String?) -> Bool {
        guard let sha else { return false }
        let path = plan.manifest.baseDirectory + "/" + plan.outputFolder + "/" + Lockfile.exportFile(ofOutput: output)
        guard let there = FileStats.statNow(path), there.isRegularFile else { return false }
        guard let object = FileStats.statNow(cache.path(of: sha)) else { return true }
        return there.inode == object.inode && there.device == object.device || there.size == object.size
    }

    /// The lock the rows say. An output is listed once its export is there (`outputExported`),
    /// so a run stopped between a post-step and its export leaves no entry for a missing file.
    static func derive(_ jobs: [Job], records: [String: JobRecord], old: Lockfile?,
                       outputExported: (String, String?) -> Bool) -> Lockfile {
        var lock = Lockfile()
        for job in jobs {
            let name = job.name
            let r = records[job.key].flatMap { $0.state == .fetched ? $0 : nil }
            switch job.kind {
            case .render:
                if let r {
                    lock.renders[name] = .init(key: job.key, taskId: r.taskId, externalTaskId: r.externalTaskId,
                                               sha256: r.resultSHA256, duration: r.resultDuration, units: r.unitsCharged ?? 0,
                                               madeAt: madeAt(r, old: old?.render(key: job.key, names: job.names)))
                } else if var o = old?.render(key: job.key, names: job.names) {
                    o.sameAs = nil
                    lock.renders[name] = o
                } else {
                    continue
                }
                for cell in job.names.dropFirst() { lock.renders[cell] = .init(key: job.key, sameAs: name) }
            case .element:
                if let r {
                    lock.elements[name] = .init(key: job.key, elementId: r.elementId, taskId: r.taskId, units: r.unitsCharged ?? 0)
                } else if var o = old?.element(key: job.key, names: job.names) {
                    o.sameAs = nil
                    lock.elements[name] = o
                } else {
                    continue
                }
                for other in job.names.dropFirst() {
                    lock.elements[other] = .init(key: job.key, elementId: lock.elements[name]?.elementId, sameAs: name)
                }
            case .post:
                // Outputs cost nothing: each name keeps a whole entry.
                for output in job.names {
                    if let r {
                        if outputExported(output, r.resultSHA256) {
                            lock.outputs[output] = .init(key: job.key, sha256: r.resultSHA256, duration: r.resultDuration)
                        }
                    } else if let o = old?.outputs[output], o.key == job.key {
                        lock.outputs[output] = o
                    }
                }
            case .prepare, .upload, .export:
                break
            }
        }
        return lock
    }

    /// When a provider's result was made: as locked for the same task (a row adopted or fetched
    /// again is not a new result), else when its row says it was fetched. A local render
    /// (no task) expires nowhere and has none.
    static func madeAt(_ r: JobRecord, old: Lockfile.Render?) -> String? {
        guard r.taskId != nil else { return nil }
        if let old, old.taskId == r.taskId { return old.madeAt }
        return UTCStamp.isoSeconds(r.updatedAt)
    }
}
