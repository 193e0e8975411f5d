public import ArgumentParser
import Foundation
public import TroupeManifest
import TroupePlan
import TroupeRun

extension ProviderKind: ExpressibleByArgument {}

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Expand a manifest into its job DAG and price it, without spending anything.",
        discussion: """
            Marks each job as run will treat it: new (run pays for it), cached (finished by an earlier
            run), locked (recorded in the lock), in_flight (created by a run that stopped) or failed
            (paid again only with --reroll); only new paid jobs count toward what is still to spend. Exit status: 0 ok, 2 invalid manifest, 3 over budget.

            Examples:
              troupe plan
              troupe plan campaign.yaml --json > plan.json
              troupe plan --dot | dot -Tsvg > plan.svg
              troupe plan --provider preview --all
            """)

    @Argument(help: "The manifest.") var manifest: String = "troupe.yaml"
    @Flag(help: "Print the plan as JSON (schemas/plan.schema.json).") var json = false
    @Flag(help: "Print the job DAG for Graphviz.") var dot = false
    @Flag(help: "List every job, not only the most expensive.") var all = false
    @Option(help: "How many of the most expensive jobs to list.") var top = 10
    @Option(help: "Refuse (exit 3) when the plan costs more than this; overrides budget.max_units.") var maxUnits: Double?
    @Option(help: "Use this provider instead of the manifest's: kling, fal or preview.") var provider: ProviderKind?
    @Option(help: "How to print diagnostics: text (stderr) or json (stdout).") var format: DiagnosticRenderer.Format = .text

    func run() async throws {
        // The same status run will see: the lock, and the state store and cache if there are any.
        let (store, cache) = try existingStore(manifest)
        let campaign = try plannedCampaign(manifest, provider: provider, store: store, cache: cache)
        report(campaign.diagnostics, sources: campaign.sources, format: format)
        guard let plan = campaign.plan, !campaign.diagnostics.hasErrors else { throw ExitCode(2) }
        let limit = maxUnits ?? plan.manifest.budget?.maxUnits
        let totals = plan.totals
        if dot {
            print(PlanDot.render(plan), terminator: "")
        } else if json {
            FileHandle.standardOutput.write(Data(PlanJSON.render(plan, totals: totals, manifestPath: manifest).utf8))
        } else {
            print(PlanTable.render(plan, totals: totals, manifestPath: manifest, top: top, all: all, maxUnits: limit), terminator: "")
        }
        if let limit, let problem = plan.budgetProblem(maxUnits: limit, totals: totals) {
            FileHandle.standardError.write(Data("error: \(problem)\n".utf8))
            throw ExitCode(3)
        }
    }
}
