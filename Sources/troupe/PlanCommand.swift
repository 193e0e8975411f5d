public import ArgumentParser
import Foundation
public import TroupeManifest
import TroupePlan

extension ProviderKind: ExpressibleByArgument {}

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Expand a manifest into its job DAG and price it, without spending anything.",
        discussion: """
            Marks each job new, cached or locked (recorded in troupe.lock); only new paid jobs count
            toward what is still to spend. Exit status: 0 ok, 2 invalid manifest, 3 over budget.

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
        let campaign = Campaign.open(manifest: manifest, provider: provider)
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
