import Foundation
import TroupePlan
import TroupeReport

extension RunCommand {
    /// Rewrites the campaign's page after a run when it exists (or `--report` asks for it), so
    /// the page people look at never lags behind the renders. A report that cannot be written
    /// is a warning: the run's outcome stands.
    func refreshReport(after plan: Plan) async {
        let index = CampaignReport.defaultDirectory(for: plan) + "/index.html"
        guard writesReport || FileManager.default.fileExists(atPath: index) else { return }
        do {
            let result = try await writeReport(manifest: manifest, output: nil, provider: provider, printsDiagnostics: false,
                                         allowSymlinkedOut: allowSymlinkedOut, state: stateURL(state))
            FileHandle.standardError.write(Data("report: \(result.indexPath)\n".utf8))
        } catch {
            FileHandle.standardError.write(Data("warning: the report was not refreshed (run troupe report to see why)\n".utf8))
        }
    }
}
