import Foundation
import Testing

@Suite struct PlanCommandTests {
    @Test func planWithinBudgetExitsZero() throws {
        let r = try troupe(["plan", "manifests/campaign.yaml"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("to spend: 84 units ($11.76)"))
    }

    @Test func overBudgetExitsThreeAndSaysByHowMuch() throws {
        let r = try troupe(["plan", "manifests/campaign.yaml", "--max-units", "50"])
        #expect(r.status == 3)
        #expect(r.stderr.contains("error: plan costs 84 units, 34 over the budget of 50 units"))
        #expect(r.stderr.contains("most expensive characters: pip 47.1"))
        #expect(r.stderr.contains("most expensive blocks:     #1 44.1, #2 30, #3 9.9"))
    }

    @Test func jsonIsParseableAndDotIsGraphviz() throws {
        let j = try troupe(["plan", "manifests/mascot.yaml", "--json"])
        #expect(j.status == 0)
        let o = try #require(try JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as? [String: Any])
        #expect((o["totals"] as? [String: Any])?["units"] as? Double == 100.8)
        let d = try troupe(["plan", "manifests/mascot.yaml", "--dot"])
        #expect(d.status == 0 && d.stdout.hasPrefix("digraph troupe {"))
    }

    @Test func previewOverrideCostsNothing() throws {
        let r = try troupe(["plan", "manifests/mascot.yaml", "--provider", "preview"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("to spend: 0 units"))
        #expect(r.stdout.contains("on Kling these renders would cost 100.8 units"))
    }

    @Test func invalidManifestExitsTwo() throws {
        let r = try troupe(["plan", "manifests/invalid/output-cycle.yaml"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("error: outputs form a cycle"))
    }
}
