import Foundation
import TroupePlan
import TroupeState
import TroupeSupport

/// Where each job's time goes in this run, on the run's clock: the executor says when a job
/// starts and ends, the job says when it moves to another phase (JobMarks). A few array
/// writes under a lock per job; the state store sees it once, as the run ends (RunTimeline).
final class TimelineRecorder: @unchecked Sendable {
    /// One job's bar while the run goes on.
    private struct Bar {
        var began: Double
        var phase: Int
        var since: Double
        var seconds: [Double]
        var ended: Double?
        var outcome = "stopped"
    }

    private let clock: any RunClock
    private let lock = NSLock()
    private var bars: [Bar?]
    /// The run's start: its date, and the clock's reading then (every offset is from it).
    private var origin: (date: Date, now: Double)?
    private let jobs: [Job]
    /// Plan index by job key, for jobs that know their `Job` but not its index; made when
    /// first asked (a run with nothing to do never pays for it).
    private var indices: [String: Int]?

    init(clock: any RunClock, jobs: [Job]) {
        self.clock = clock
        self.jobs = jobs
        bars = Array(repeating: nil, count: jobs.count)
    }

    func runStarted() {
        let date = clock.date, now = clock.now
        lock.withLock { origin = (date, now) }
    }

    /// The job starts (again, after being deferred: the time between counts as waiting).
    func began(_ i: Int, in phase: TimelinePhase) {
        let now = clock.now, p = Self.index(phase)
        lock.withLock {
            guard var bar = bars[i] else {
                bars[i] = Bar(began: now, phase: p, since: now, seconds: Array(repeating: 0, count: TimelinePhase.allCases.count))
                return
            }
            bar.seconds[Self.index(.slot)] += now - (bar.ended ?? now)
            bar.ended = nil
            bar.phase = p
            bar.since = now
            bars[i] = bar
        }
    }

    /// From now on the job is in `phase`.
    func mark(_ i: Int, _ phase: TimelinePhase) {
        let now = clock.now, p = Self.index(phase)
        lock.withLock {
            guard var bar = bars[i], bar.ended == nil, bar.phase != p else { return }
            bar.seconds[bar.phase] += now - bar.since
            bar.phase = p
            bar.since = now
            bars[i] = bar
        }
    }

    func ended(_ i: Int, outcome: String) {
        let now = clock.now
        lock.withLock {
            guard var bar = bars[i], bar.ended == nil else { return }
            bar.seconds[bar.phase] += now - bar.since
            bar.ended = now
            bar.outcome = outcome
            bars[i] = bar
        }
    }

    func marks(for job: Job) -> JobMarks {
        let index = lock.withLock { () -> Int? in
            if indices == nil {
                var made: [String: Int] = [:]
                made.reserveCapacity(jobs.count)
                for (i, job) in jobs.enumerated() { made[job.key] = i }
                indices = made
            }
            return indices?[job.key]
        }
        return JobMarks(recorder: self, index: index ?? -1)
    }

    /// The run as it stands now, ending now: nil when it started no job (a run with nothing
    /// to do leaves the last timeline as it was). A job still going ends now, `stopped`. A bar
    /// starts when its job became ready (its last dependency run here ended, else the run's
    /// start): the wait for a lane counts as waiting for a slot.
    func timeline(campaign: String) -> RunTimeline? {
        let now = clock.now
        return lock.withLock { () -> RunTimeline? in
            guard let origin, bars.contains(where: { $0 != nil }) else { return nil }
            var out: [JobTimeline] = []
            for (i, slot) in bars.enumerated() {
                guard var bar = slot else { continue }
                if bar.ended == nil {
                    bar.seconds[bar.phase] += now - bar.since
                    bar.ended = now
                }
                let ready = min(bar.began, jobs[i].deps.compactMap { bars[$0]?.ended }.max() ?? origin.now)
                bar.seconds[Self.index(.slot)] += bar.began - ready
                out.append(JobTimeline(id: jobs[i].id, kind: jobs[i].kind, outcome: bar.outcome, start: ready - origin.now,
                                       end: bar.ended! - origin.now, phases: bar.seconds))
            }
            // A waterfall: by when each became ready, then by when it ended.
            out.sort { ($0.start, $0.end, $0.id) < ($1.start, $1.end, $1.id) }
            return RunTimeline(campaign: campaign, start: origin.date, end: origin.date.addingTimeInterval(now - origin.now), jobs: out)
        }
    }

    private static func index(_ phase: TimelinePhase) -> Int {
        switch phase {
        case .slot: 0
        case .provider: 1
        case .download: 2
        case .post: 3
        }
    }
}

/// A job's way of saying which phase it is in now, on the run's timeline.
struct JobMarks: Sendable {
    let recorder: TimelineRecorder?
    let index: Int

    /// Marks nothing: a job run outside an executor (tests of the remote session).
    static let none = JobMarks(recorder: nil, index: -1)

    func callAsFunction(_ phase: TimelinePhase) {
        guard index >= 0 else { return }
        recorder?.mark(index, phase)
    }
}

extension TimelineRecorder {
    /// From now on `job` is in `phase`.
    func mark(_ job: Job, _ phase: TimelinePhase) { marks(for: job)(phase) }
}
