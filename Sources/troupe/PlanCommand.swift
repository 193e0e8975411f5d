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
              troupe plan --diff origin/main --comment github   # in a pull request's CI job (docs/ci.md)
            """)

    @Argument(help: "The manifest.") var manifest: String = "troupe.yaml"
    @Flag(help: "Print the plan as JSON (schemas/plan.schema.json).") var json = false
    @Flag(help: "Print the job DAG for Graphviz.") var dot = false
    @Flag(help: "List every job, not only the most expensive.") var all = false
    @Option(help: "How many of the most expensive jobs to list.") var top = 10
    @Option(help: "Refuse (exit 3) when the plan costs more than this; overrides budget.max_units.") var maxUnits: Double?
    @Option(help: "Use this provider instead of the manifest's: kling, fal or preview.") var provider: ProviderKind?
    @Option(help: "text; json (diagnostics as JSON lines on stdout); markdown (with --diff: a pull request comment).")
    var format: PlanFormat = .text
    @Option(name: .customLong("diff"), help: "Compare with the manifest as committed at this git revision (branch, tag, commit).")
    var diffRef: String?
    @Option(help: "With --diff: post the Markdown diff on the pull request (github) or merge request (gitlab), editing the same comment on later runs.")
    var comment: ReviewForge?
    @Flag(help: "With --comment: post nothing (no new comment, no edit) when no cell changed.")
    var commentIfChanged = false

    @Flag(help: "Download URL media given without sha256 (or duration) to measure them; remembered by URL and ETag.")
    var fetchRemote = false

    enum PlanFormat: String, ExpressibleByArgument, CaseIterable { case text, json, markdown }

    func validate() throws {
        if comment != nil && diffRef == nil { throw ValidationError("--comment posts the cost diff: add --diff REF (the pull request's base)") }
        if commentIfChanged && comment == nil { throw ValidationError("--comment-if-changed needs --comment github or --comment gitlab") }
    }

    func run() async throws {
        if let diffRef { return try await diff(against: diffRef) }
        let format: DiagnosticRenderer.Format = self.format == .json ? .json : .text
        // The same status run will see: the lock, and the state store and cache if there are any.
        var campaign = try await plannedCampaign(manifest, provider: provider, store: nil, cache: resultCache(manifest),
                                           loaded: await fetchedManifest(manifest, fetchRemote: fetchRemote))
        campaign.diagnostics = uploadsChecked(campaign.diagnostics, plan: campaign.plan, severity: .warning)
        report(campaign.diagnostics, sources: campaign.sources, format: format)
        guard let plan = campaign.plan, !campaign.diagnostics.hasErrors else { throw ExitCode(2) }
        let limit = maxUnits ?? plan.manifest.budget?.maxUnits
        let totals = plan.totals
        let policies = Policies.evaluate(plan, totals: totals, maxUnits: maxUnits)
        if dot {
            print(PlanDot.render(plan), terminator: "")
        } else if json {
            FileHandle.standardOutput.write(Data(PlanJSON.render(plan, totals: totals, manifestPath: manifest, policies: policies).utf8))
        } else {
            print(PlanTable.render(plan, totals: totals, manifestPath: manifest, top: top, all: all, maxUnits: limit), terminator: "")
        }
        if policyDenial(policies, plan: plan, totals: totals, maxUnits: limit) != nil { throw ExitCode(3) }
    }

    /// `--diff REF`: this plan against the manifest's plan at a git revision.
    private func diff(against ref: String) async throws {
        let diagnosticsFormat: DiagnosticRenderer.Format = format == .json ? .json : .text
        let head = try await plannedCampaign(manifest, provider: provider, store: nil, cache: resultCache(manifest),
                                       loaded: await fetchedManifest(manifest, fetchRemote: fetchRemote))
        report(head.diagnostics.filter { $0.severity != .note }, sources: head.sources, format: diagnosticsFormat)
        guard let headPlan = head.plan, !head.diagnostics.hasErrors else { throw ExitCode(2) }
        var diff = try planDiff(headPlan, manifest: manifest, ref: ref, provider: provider, format: diagnosticsFormat)
        let totals = headPlan.totals
        diff.policies = Policies.evaluate(headPlan, totals: totals, maxUnits: maxUnits, increase: diff.deltaUnits)
        if json {
            FileHandle.standardOutput.write(Data(diff.json.utf8))
        } else if format == .markdown {
            print(diff.markdown(), terminator: "")
        } else {
            print(diff.table(), terminator: "")
        }
        // Posted before the budget check: reviewers see the figures that fail the check.
        if let comment {
            try await CommentOnReview.post(diff, manifest: manifest, forge: comment, onlyIfChanged: commentIfChanged)
        }
        if policyDenial(diff.policies, plan: headPlan, totals: totals, maxUnits: maxUnits ?? headPlan.manifest.budget?.maxUnits) != nil {
            throw ExitCode(3)
        }
    }
}

/// Prints each policy's warning and the first deny's reason, and returns that reason: a deny
/// exits 3 (before anything is spent, for run). max_units keeps its breakdown of where the units go.
func policyDenial(_ policies: [PolicyCheck], plan: Plan, totals: Plan.Totals, maxUnits: Double?) -> String? {
    let err = FileHandle.standardError
    for c in policies where c.verdict == .warn { err.write(Data("warning: \(Policies.message(c, unit: plan.table.unit))\n".utf8)) }
    guard let deny = policies.first(where: { $0.verdict == .deny }) else { return nil }
    let problem = deny.name == "max_units" ? maxUnits.flatMap { plan.budgetProblem(maxUnits: $0, totals: totals) } : nil
    let text = problem ?? Policies.message(deny, unit: plan.table.unit)
    err.write(Data("error: \(text)\n".utf8))
    return text
}

/// `head` against the manifest's plan as committed at git `ref` (plan --diff, report --diff);
/// what stops it is printed, exit 2.
func planDiff(_ head: Plan, manifest: String, ref: String, provider: ProviderKind?,
              format: DiagnosticRenderer.Format) throws -> PlanDiff {
    let revision: GitRevision
    do { revision = try GitRevision(ref, manifest: manifest) } catch {
        FileHandle.standardError.write(Data("error: \(FileErrors.plain(error))\n".utf8))
        throw ExitCode(2)
    }
    defer { revision.cleanUp() }
    var basePlan: Plan?
    do {
        if let loaded = try revision.load(manifest: manifest) {
            let base = Campaign.open(loaded: loaded, manifest: manifest, provider: provider, status: LockStatus(nil))
            report(base.diagnostics.filter { $0.severity != .note }, sources: base.sources, format: format)
            guard let plan = base.plan, !base.diagnostics.hasErrors else {
                FileHandle.standardError.write(Data("error: the manifest at \(ref) cannot be planned (above)\n".utf8))
                throw ExitCode(2)
            }
            basePlan = plan
        } else {
            FileHandle.standardError.write(Data("note: \(manifest) does not exist at \(ref): every cell is added\n".utf8))
        }
    } catch let failure as GitRevision.Failure {
        FileHandle.standardError.write(Data("error: \(failure)\n".utf8))
        throw ExitCode(2)
    }
    return PlanDiff(base: basePlan, head: head, ref: ref)
}
