import ArgumentParser
import Foundation
import TroupeSupport
import TroupeManifest
import TroupePlan
import TroupeReport
import TroupeRun
import TroupeCache
import TroupeState

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the campaign as a static page: the character × clip matrix with posters, players, statuses and units.",
        discussion: """
            The folder (default: report/ where the campaign's outputs go, out/report/ for troupe.yaml)
            holds index.html and the posters it shows; it links to the exported MP4s and opens from
            file:// with no server or network. Posters are cached in .troupe/posters/, so a second
            report only makes what is new. `troupe run` refreshes the report when it exists
            (`troupe run --report` creates it).

            Example:
              troupe report && xdg-open out/report/index.html
            """)

    @Argument(help: "The manifest.") var manifest: String = "troupe.yaml"
    @Option(name: .shortAndLong, help: "The folder to write (default: report/ beside the campaign's outputs).") var output: String?
    @Option(help: "How to print diagnostics: text (stderr) or json (stdout).") var format: DiagnosticRenderer.Format = .text
    @Option(name: .customLong("diff"), help: "Highlight the cells added or changed since this git revision, with their unit deltas, and list those removed.")
    var diffRef: String?
    @Flag(help: "Let out/ be a symlink (a studio's shared drive); nothing else on the way to the report may be one.")
    var allowSymlinkedOut = false
    @Option(help: "Shared state: postgres://USER@HOST:PORT/DB (default: TROUPE_STATE_URL, else .troupe/state.sqlite).")
    var state: String?

    func run() async throws {
        let result = try await writeReport(manifest: manifest, output: output, format: format, diffRef: diffRef,
                                     allowSymlinkedOut: allowSymlinkedOut, state: stateURL(state))
        let counts = result.page.countByStatus
        let cells = CellStatus.allCases.compactMap { s in counts[s].map { "\($0) \(s.label)" } }.joined(separator: ", ")
        print("report: \(result.indexPath) (\(result.page.cells.count) cells: \(cells); posters: \(result.posters.made) made, \(result.posters.reused) reused)")
        for (name, reason) in result.posters.failed.sorted(by: { $0.key < $1.key }) {
            FileHandle.standardError.write(Data("warning: no poster \(name): \(reason)\n".utf8))
        }
    }
}

/// Plans the manifest with status from its lock and state store (when it has run) and writes
/// its report; shared by `troupe report` and the refresh at the end of `troupe run`.
func writeReport(manifest: String, output: String?, provider: ProviderKind? = nil,
                 format: DiagnosticRenderer.Format = .text, printsDiagnostics: Bool = true,
                 diffRef: String? = nil, allowSymlinkedOut: Bool = false, state: String? = nil) async throws -> CampaignReport.Result {
    let stateDirectory = Campaign.stateDirectory(forManifest: manifest)
    do {
        // Posters are cached in .troupe/: never through a symlink.
        try ResultCache.checkStateFolder(stateDirectory)
    } catch {
        FileHandle.standardError.write(Data("error: \(FileErrors.plain(error))\n".utf8))
        throw ExitCode(2)
    }
    let lock = try? Lockfile.read(Campaign.lockPath(forManifest: manifest))
    // A campaign that has never run has no state store: plan from the lock alone, create nothing.
    // With shared state (a team's runner), the rows are the team's.
    var store: (any StateStoring)?
    let campaign: Campaign
    if state != nil || FileManager.default.fileExists(atPath: stateDirectory + "/state.sqlite") {
        let (c, s, _) = try await openCampaign(manifest, provider: provider, state: state)
        campaign = c
        store = s.store
    } else {
        campaign = Campaign.open(manifest: manifest, provider: provider)
    }
    return try await closing(store) {
        try await writeReport(campaign, store: store, manifest: manifest, output: output, provider: provider, format: format,
                              printsDiagnostics: printsDiagnostics, diffRef: diffRef, allowSymlinkedOut: allowSymlinkedOut,
                              stateDirectory: stateDirectory, lock: lock ?? nil)
    }
}

private func writeReport(_ campaign: Campaign, store: (any StateStoring)?, manifest: String, output: String?, provider: ProviderKind?,
                         format: DiagnosticRenderer.Format, printsDiagnostics: Bool, diffRef: String?, allowSymlinkedOut: Bool,
                         stateDirectory: String, lock: Lockfile?) async throws -> CampaignReport.Result {
    if printsDiagnostics { report(campaign.diagnostics, sources: campaign.sources, format: format) }
    guard let plan = campaign.plan, !campaign.diagnostics.hasErrors else { throw ExitCode(2) }
    let directory = output ?? CampaignReport.defaultDirectory(for: plan)
    let diff = try diffRef.map { try planDiff(plan, manifest: manifest, ref: $0, provider: provider, format: format) }
    do {
        // The report's folder and its posters/ are made inside the project, never through a
        // symlink (a folder named with -o elsewhere is the user's own choice).
        let project = ProjectFolder(root: plan.manifest.baseDirectory, symlinkAllowed: allowSymlinkedOut ? "out" : nil)
        let standard = URL(fileURLWithPath: directory).standardizedFileURL.path
        if output == nil || standard.hasPrefix(URL(fileURLWithPath: project.root).standardizedFileURL.path + "/") {
            try project.checkFolder(standard + "/posters")
            try project.checkWritable(standard + "/index.html")
        }
        let warnings = await ExpiryWarning.lines(lock: lock)
        if printsDiagnostics { ExpiryWarning.write(warnings) }
        return try await CampaignReport.write(plan: plan, store: store, lock: lock, stateDirectory: stateDirectory,
                                        to: directory, diff: diff, warnings: warnings)
    } catch {
        FileHandle.standardError.write(Data("error: cannot write the report to \(directory): \(FileErrors.plain(error))\n".utf8))
        throw ExitCode(1)
    }
}
