import Foundation
import Testing
import TroupeManifest
@testable import TroupePlan
@testable import TroupeRun
import TroupeState

/// The lock as the rows say it, from facts alone: finished jobs are written, unfinished ones
/// keep their old entry only under an unchanged key, a shared render is paid under one name.
struct LockWriterTests {
    static let now = Date(timeIntervalSince1970: 1_700_000_000)

    static func job(_ id: String, _ kind: JobKind, key: String, cells: [String] = []) -> Job {
        let subject: JobSubject = switch kind {
        case .render: .render(character: 0, clip: 0, block: 0, settings: RenderSettings())
        case .post: .post(output: 0)
        default: .element(0)
        }
        var job = Job(id: "\(kind.rawValue):\(id)", kind: kind, key: String(repeating: key, count: 64), deps: [], subject: subject)
        job.cells = cells
        return job
    }

    static func fetched(_ job: Job, task: String, units: Double, sha: String? = nil) -> JobRecord {
        var r = JobRecord(key: job.key, id: job.id, kind: job.kind, state: .fetched, units: units, now: now)
        r.taskId = task
        r.unitsCharged = units
        r.resultSHA256 = sha
        r.resultDuration = 4
        r.elementId = job.kind == .element ? 42 : nil
        return r
    }

    @Test func finishedJobsAreWrittenAndUnfinishedOnesKeepOnlyAnUnchangedEntry() {
        let done = Self.job("mochi/wave", .render, key: "a")
        let waiting = Self.job("mochi/hop", .render, key: "b")
        let changed = Self.job("pip/wave", .render, key: "c")
        let never = Self.job("pip/hop", .render, key: "d")
        var old = Lockfile()
        old.renders["mochi/hop"] = .init(key: waiting.key, taskId: "t-old", units: 4.5)
        old.renders["pip/wave"] = .init(key: String(repeating: "e", count: 64), taskId: "t-stale", units: 4.5)
        let running = JobRecord(key: waiting.key, id: waiting.id, kind: .render, state: .submitted, units: 4.5, now: Self.now)
        let lock = LockWriter.derive([done, waiting, changed, never],
                                     records: [done.key: Self.fetched(done, task: "t1", units: 4.5, sha: "f1"), waiting.key: running],
                                     old: old, outputExported: { _, _ in true })
        #expect(lock.renders["mochi/wave"]?.taskId == "t1" && lock.renders["mochi/wave"]?.units == 4.5)
        #expect(lock.renders["mochi/wave"]?.sha256 == "f1")
        #expect(lock.renders["mochi/hop"]?.taskId == "t-old", "unfinished now, same key: the old entry stands")
        #expect(lock.renders["pip/wave"] == nil, "its key changed: the old task is not this render's")
        #expect(lock.renders["pip/hop"] == nil)
    }

    @Test func aSharedRenderIsPaidUnderOneNameAndPointedAtByTheOthers() {
        let shared = Self.job("mochi/hop", .render, key: "a", cells: ["mochi/hop", "mochi/hop-again"])
        let element = Self.job("mochi", .element, key: "b", cells: ["mochi", "mochi-twin"])
        let lock = LockWriter.derive([shared, element],
                                     records: [shared.key: Self.fetched(shared, task: "t1", units: 4.5, sha: "f1"),
                                               element.key: Self.fetched(element, task: "e1", units: 1)],
                                     old: nil, outputExported: { _, _ in true })
        #expect(lock.renders["mochi/hop"]?.taskId == "t1")
        #expect(lock.renders["mochi/hop-again"]?.sameAs == "mochi/hop" && lock.renders["mochi/hop-again"]?.taskId == nil)
        #expect(lock.renders.values.reduce(0) { $0 + ($1.units ?? 0) } == 4.5, "the lock's units add up to one charge")
        #expect(lock.elements["mochi"]?.elementId == 42 && lock.elements["mochi-twin"]?.sameAs == "mochi")
        #expect(lock.elements["mochi-twin"]?.elementId == 42, "every name finds the element id")
    }

    @Test func anOutputIsListedOnlyOnceItsExportIsThere() {
        let reel = Self.job("reel", .post, key: "a", cells: ["mochi-reel", "pip-reel"])
        let record = Self.fetched(reel, task: "", units: 0, sha: "f9")
        let lock = LockWriter.derive([reel], records: [reel.key: record], old: nil,
                                     outputExported: { name, sha in name == "mochi-reel" && sha == "f9" })
        #expect(lock.outputs["mochi-reel"]?.sha256 == "f9")
        #expect(lock.outputs["pip-reel"] == nil, "a stop between the post-step and this export leaves no entry")
        var old = Lockfile()
        old.outputs["pip-reel"] = .init(key: reel.key, sha256: "f9")
        let again = LockWriter.derive([reel], records: [:], old: old, outputExported: { _, _ in false })
        #expect(again.outputs["pip-reel"]?.sha256 == "f9", "not run this time, same key: kept")
    }
}
