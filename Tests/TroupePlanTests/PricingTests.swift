import Foundation
import Testing
import TroupeManifest
@testable import TroupePlan

@Suite struct PricingTests {
    /// Mixed models and modes, overrides, excludes, URL media with declared durations.
    static let mixed = """
    troupe: 1
    name: mixed
    provider: {use: kling, model: kling-v3, mode: std}
    budget: {max_units: 100, usd_per_unit: 0.1}
    characters:
      a: {image: "https://cdn.example.com/a.png", sha256: \(digest("a1"))}
      b: {image: "https://cdn.example.com/b.png", sha256: \(digest("b2"))}
    clips:
      short: {video: "https://cdn.example.com/s.mp4", sha256: \(digest("c3")), duration: 4.5}
      long:  {video: "https://cdn.example.com/l.mp4", sha256: \(digest("d4")), duration: 20.4}
      cut:   {video: "https://cdn.example.com/c.mp4", sha256: \(digest("e5")), duration: 30, trim: [2.2, 9.6]}
    uploads: {s3: {bucket: b}}
    renders:
      - characters: ["*"]
        clips: ["*"]
        exclude: [{character: b, clip: long}, {clip: cut}]
      - characters: [a]
        clips: [cut]
        with: {model: kling-v2-6, mode: pro}
      - characters: [b]
        clips: [cut]
        with: {mode: pro}
    """

    @Test func mixedTotalsMatchHandComputation() throws {
        let dir = TempDir()
        let p = try plan(Self.mixed, in: dir)
        // short 4.5 s → 5 s; long 20.4 s → 20 s; cut 7.4 s → 7 s.
        // a/short 5×0.9=4.5, a/long 20×0.9=18, b/short 4.5, a/cut v2.6 pro 7×0.8=5.6, b/cut v3 pro 7×1.2=8.4
        #expect(p.job("render:a/short")?.units == 4.5)
        #expect(p.job("render:a/long")?.seconds == 20)
        #expect(p.job("render:b/long") == nil)
        #expect(p.job("render:a/cut")?.units == 7 * 0.8)
        #expect(p.job("render:b/cut")?.units == 7 * 1.2)
        let t = p.totals
        #expect(abs(t.units - 41.0) < 1e-9)
        #expect(abs((p.usd(t.units) ?? 0) - 4.1) < 1e-9)
        #expect(abs(t.byModel["kling-v3/std"]! - 27) < 1e-9)
        #expect(abs(t.byModel["kling-v2-6/pro"]! - 5.6) < 1e-9)
        #expect(abs(t.byCharacter["a"]! - 28.1) < 1e-9)
        #expect(abs(t.byClip["cut"]! - 14) < 1e-9)
        #expect(t.paidJobs == 5)
        // The trimmed clip is prepared once and uploaded once for both renders.
        #expect(p.jobs.filter { $0.kind == .prepare }.count == 1)
        #expect(p.jobs.filter { $0.kind == .upload }.count == 1)
        #expect(p.budgetProblem(maxUnits: 100, totals: t) == nil)
        let over = try #require(p.budgetProblem(maxUnits: 40, totals: t))
        #expect(over.hasPrefix("plan costs 41 units, 1 over the budget of 40 units"))
        #expect(over.contains("most expensive characters: a 28.1, b 12.9"))
    }

    @Test func elementSharedByThreeCharactersIsOneJob() throws {
        let dir = TempDir()
        let text = """
        troupe: 1
        name: shared
        provider: {use: kling}
        elements:
          mochi: {from_video: "https://cdn.example.com/t.mp4", sha256: \(digest("f6")), duration: 5}
        characters:
          one:   {image: "https://cdn.example.com/1.png", sha256: \(digest("a1")), element: mochi}
          two:   {image: "https://cdn.example.com/2.png", sha256: \(digest("b2")), element: mochi}
          three: {image: "https://cdn.example.com/3.png", sha256: \(digest("c3")), element: mochi}
        clips:
          wave: {video: "https://cdn.example.com/w.mp4", sha256: \(digest("d4")), duration: 6}
        renders: [{characters: ["*"], clips: ["*"]}]
        """
        let p = try plan(text, in: dir)
        let elements = p.jobs.filter { $0.kind == .element }
        #expect(elements.count == 1)
        let e = try #require(p.jobs.firstIndex { $0.kind == .element })
        #expect(p.jobs.filter { $0.kind == .render }.allSatisfy { $0.deps.contains(e) })
        #expect(abs(p.totals.units - 3 * 6 * 0.9) < 1e-9)
    }

    @Test func resellerPricingOverride() throws {
        let dir = TempDir()
        let text = """
        troupe: 1
        name: reseller
        provider: {use: fal, mode: pro}
        pricing:
          unit: credits
          render:
            kling-v3/pro: {base: 5, per_second: 1.5, minimum: 10}
            kling-v3/std: {base: 3.75, per_second: 1.125, minimum: 7.5}
        characters:
          a: {image: "https://cdn.example.com/a.png", sha256: \(digest("a1"))}
        clips:
          thirty: {video: "https://cdn.example.com/30.mp4", sha256: \(digest("b2")), duration: 30}
          ten:    {video: "https://cdn.example.com/10.mp4", sha256: \(digest("c3")), duration: 10}
          three:  {video: "https://cdn.example.com/3.mp4", sha256: \(digest("d4")), duration: 3}
        renders:
          - {characters: [a], clips: [thirty, ten, three]}
        """
        let p = try plan(text, in: dir)
        #expect(p.table.unit == "credits")
        #expect(p.job("render:a/thirty")?.units == 50)
        #expect(p.job("render:a/ten")?.units == 20)
        #expect(p.job("render:a/three")?.units == 10)  // the floor
        #expect(p.totals.units == 80)
        #expect(p.usd(80) == nil)
    }

    @Test func previewIsFreeButShowsKlingPrice() throws {
        let dir = TempDir()
        let p = try plan(Self.mixed, in: dir, provider: .preview)
        #expect(p.totals.units == 0)
        #expect(abs(p.totals.klingUnits - 41) < 1e-9)
        #expect(p.jobs.allSatisfy { $0.kind != .upload })  // local provider: nothing to upload
        let table = PlanTable.render(p, manifestPath: "m.yaml")
        #expect(table.contains("on Kling these renders would cost 41 units"))
    }

    @Test func lockedJobsCostNothing() throws {
        let dir = TempDir()
        let first = try plan(Self.mixed, in: dir)
        let locked = Set([first.job("render:a/long")!.key, first.job("render:b/cut")!.key])
        let p = try plan(Self.mixed, in: dir, status: LockStatus.keys(locked))
        #expect(p.job("render:a/long")?.status == .locked)
        #expect(abs(p.totals.units - (41 - 18 - 8.4)) < 1e-9)
        #expect(p.totals.byStatus[.locked]?.jobs == 2)
    }

    @Test func billedSecondsRoundHalfUp() {
        #expect(PriceTable.billedSeconds(4.5) == 5)
        #expect(PriceTable.billedSeconds(4.49) == 4)
        #expect(PriceTable.billedSeconds(3.0) == 3)
        #expect(PriceTable.billedSeconds(29.5) == 30)
    }

    @Test func builtInTablesHoldThePublishedRates() throws {
        let k = try PriceTable.builtIn(.kling)
        #expect(try k.renderRate(model: .klingV3, mode: .std).perSecond == 0.9)
        #expect(try k.renderRate(model: .klingV3, mode: .pro).perSecond == 1.2)
        #expect(try k.renderRate(model: .klingV2_6, mode: .std).perSecond == 0.5)
        #expect(try k.renderRate(model: .klingV2_6, mode: .pro).perSecond == 0.8)
        let f = try PriceTable.builtIn(.fal)
        #expect(f.unit == "USD")
        #expect(try f.renderRate(model: .klingV3, mode: .std).perSecond == 0.126)
        #expect(try f.renderRate(model: .klingV3, mode: .pro).perSecond == 0.168)
        #expect(k.element.price(seconds: 0) == 0)
    }
}

extension LockStatus {
    static func keys(_ keys: Set<String>) -> LockStatus {
        var lock = Lockfile()
        for (i, k) in keys.enumerated() { lock.renders["r\(i)"] = .init(key: k) }
        return LockStatus(lock)
    }
}
