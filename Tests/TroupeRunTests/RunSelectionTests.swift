import Foundation
import Testing
import TroupeManifest
@testable import TroupePlan
@testable import TroupeRun
import TroupeState

/// What a run covers and finds done, decided by RunSelection's rules from facts alone.
struct RunSelectionTests {
    /// mochi and pip over wave and hop: uploads, four renders, a reel of mochi's two, exports.
    static let jobs: [Job] = {
        var jobs: [Job] = []
        func add(_ id: String, _ kind: JobKind, _ deps: [Int] = [], _ roles: [InputRole] = [], units: Double = 0) -> Int {
            let subject: JobSubject = switch kind {
            case .upload: .upload(nil, fromJob: nil)
            case .render: .render(character: 0, clip: 0, block: 0, settings: RenderSettings())
            case .post: .post(output: 0)
            case .export: .export(path: "out/t/" + id + ".mp4")
            default: .element(0)
            }
            var job = Job(id: "\(kind.rawValue):\(id)", kind: kind, key: String(repeating: String(jobs.count % 10), count: 63) + "\(jobs.count / 10)",
                          deps: deps, subject: subject)
            job.roles = roles
            job.units = units
            jobs.append(job)
            return jobs.count - 1
        }
        let image = add("image/mochi", .upload), image2 = add("image/pip", .upload)
        let wave = add("clip/wave", .upload), hop = add("clip/hop", .upload)
        var renders: [Int] = []
        for (c, i) in [("mochi", image), ("pip", image2)] {
            for (k, v) in [("wave", wave), ("hop", hop)] { renders.append(add("\(c)/\(k)", .render, [i, v], [.image, .clip], units: 4.5)) }
        }
        let reel = add("reel", .post, [renders[0], renders[1]], [.input, .input])
        for r in renders { _ = add(jobs[r].name, .export, [r], [.source]) }
        _ = add("reel", .export, [reel], [.source])
        return jobs
    }()
    static func index(_ id: String) -> Int { jobs.firstIndex { $0.id == id }! }

    @Test func onlyTakesWhatItNamesWhatThatNeedsAndItsExports() {
        let selected = RunSelection.selected(Self.jobs, only: ["pip/*"])
        let ids = Set(Self.jobs.indices.filter { selected[$0] }.map { Self.jobs[$0].id })
        #expect(ids == ["upload:image/pip", "upload:clip/wave", "upload:clip/hop", "render:pip/wave", "render:pip/hop",
                        "export:pip/wave", "export:pip/hop"])
        #expect(RunSelection.selected(Self.jobs, only: []).allSatisfy { $0 })
        let reel = RunSelection.selected(Self.jobs, only: ["reel"])
        #expect(reel[Self.index("render:mochi/hop")] && reel[Self.index("export:reel")] && !reel[Self.index("render:pip/wave")])
    }

    @Test func patternsThatMatchNothingAreNamedWithASuggestion() {
        let unmatched = RunSelection.unmatched(Self.jobs, only: ["mochi/wav", "reel"], reroll: ["reel", "pip/hop"])
        #expect(unmatched.map { "\($0.option) \($0.pattern) \($0.suggestion ?? "-")" } == ["--only mochi/wav mochi/wave", "--reroll reel -"])
    }

    @Test func whatNoUnfinishedExportNeedsIsNotMadeAgain() {
        // Everything done but the uploads, whose results gc dropped: nothing needs them.
        var done = Self.jobs.map { $0.kind != .upload }
        var selected = RunSelection.pruned(Self.jobs, selected: Self.jobs.map { _ in true }, done: done)
        #expect(Self.jobs.indices.filter { selected[$0] && !done[$0] }.isEmpty)
        // pip/hop's export is gone: its render is done, so still nothing upstream runs but the export.
        done[Self.index("export:pip/hop")] = false
        selected = RunSelection.pruned(Self.jobs, selected: Self.jobs.map { _ in true }, done: done)
        #expect(Self.jobs.indices.filter { selected[$0] && !done[$0] }.map { Self.jobs[$0].id } == ["export:pip/hop"])
        // Its render must be made again: then its uploads are needed too.
        done[Self.index("render:pip/hop")] = false
        selected = RunSelection.pruned(Self.jobs, selected: Self.jobs.map { _ in true }, done: done)
        #expect(Set(Self.jobs.indices.filter { selected[$0] && !done[$0] }.map { Self.jobs[$0].id })
                == ["export:pip/hop", "render:pip/hop", "upload:image/pip", "upload:clip/hop"])
    }

    @Test func aRerollTakesTriedRendersAndEverythingMadeFromThem() {
        let all = Self.jobs.map { _ in true }
        let mochiWave = Self.index("render:mochi/wave"), mochiHop = Self.index("render:mochi/hop")
        let (renders, stale) = RunSelection.rerolls(Self.jobs, selected: all, patterns: ["mochi/*"],
                                                    state: { $0 == mochiHop ? .pending : .fetched })
        #expect(renders == [mochiWave])
        #expect(Set(stale.map { Self.jobs[$0].id }) == ["post:reel", "export:reel", "export:mochi/wave"])
        #expect(RunSelection.rerolls(Self.jobs, selected: all, patterns: [], state: { _ in .fetched }).renders.isEmpty)
    }

    @Test func aFinishedRowIsDoneWhileItsResultIsThere() {
        var row = JobRecord(key: "k", id: "render:mochi/wave", kind: .render, state: .fetched, now: Date())
        row.resultSHA256 = "abc"
        let render = Self.jobs[Self.index("render:mochi/wave")], export = Self.jobs[Self.index("export:mochi/wave")]
        #expect(RunSelection.resumed(render, row: row, isCached: { $0 == "abc" }, isExported: { _ in false }) == (true, .file(sha256: "abc")))
        #expect(RunSelection.resumed(render, row: row, isCached: { _ in false }, isExported: { _ in true }).done == false)
        #expect(RunSelection.resumed(export, row: row, isCached: { _ in true }, isExported: { _ in false }).done == false)
        #expect(RunSelection.resumed(export, row: row, isCached: { _ in false }, isExported: { $0 == "abc" }) == (true, .exported(sha256: "abc")))
        let upload = Self.jobs[0]
        #expect(RunSelection.resumed(upload, row: row, isCached: { _ in false }, isExported: { _ in false }) == (true, .uploaded(sha256: "abc")))
    }

    @Test func theLockGivesResultsInTheCacheOrATaskToAskFor() {
        let render = Self.jobs[Self.index("render:mochi/wave")]
        var lock = Lockfile()
        lock.renders["mochi/wave"] = .init(key: render.key, taskId: "t1", externalTaskId: "troupe-x-r2", sha256: "abc", duration: 5, units: 4.5)
        #expect(RunSelection.adoption(render, lock: lock, isCached: { _ in true }, remote: true)
                == .result(sha256: "abc", taskID: "t1", duration: 5, units: 4.5, externalID: "troupe-x-r2", reroll: 2))
        // Not in the cache: the provider is asked by the locked external id, keeping its re-roll.
        #expect(RunSelection.adoption(render, lock: lock, isCached: { _ in false }, remote: true)
                == .askProvider(externalID: "troupe-x-r2", reroll: 2, taskID: "t1"))
        #expect(RunSelection.adoption(render, lock: lock, isCached: { _ in false }, remote: false) == nil)
        // Another key (an edited cell) is not adopted.
        let other = Self.jobs[Self.index("render:pip/wave")]
        #expect(RunSelection.adoption(other, lock: lock, isCached: { _ in true }, remote: true) == nil)
    }

    @Test func theLockGivesOutputsWhoseObjectIsInTheCache() throws {
        let post = try #require(Self.jobs.first { $0.kind == .post })
        var lock = Lockfile()
        lock.outputs[post.name] = .init(key: post.key, sha256: "def", duration: 8)
        #expect(RunSelection.adoption(post, lock: lock, isCached: { _ in true }, remote: true)
                == .result(sha256: "def", taskID: nil, duration: 8, units: nil))
        #expect(RunSelection.adoption(post, lock: lock, isCached: { _ in false }, remote: true) == nil, "not here: made again")
        lock.outputs[post.name] = .init(key: "another-key", sha256: "def")
        #expect(RunSelection.adoption(post, lock: lock, isCached: { _ in true }, remote: true) == nil, "an edited output is made again")
    }

    @Test func lockedRefusesEveryPaidJobItWouldHaveToCreate() {
        let all = Self.jobs.map { _ in true }, none = Self.jobs.map { _ in false }
        let mw = Self.index("render:mochi/wave"), mh = Self.index("render:mochi/hop"), pw = Self.index("render:pip/wave")
        let refused = RunSelection.lockedRefusals(
            Self.jobs, selected: all, done: none,
            state: { [mw: JobState.submitted, mh: .failed][$0] },
            inLock: { $0 == pw }, lockName: "t.lock")
        #expect(refused.map(\.description) == ["render:mochi/hop: failed in an earlier run; only --reroll renders it again",
                                                "render:pip/hop: not in t.lock"])
        #expect(refused.allSatisfy { $0.units == 4.5 })
    }
}
