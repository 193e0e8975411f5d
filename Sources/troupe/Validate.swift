public import ArgumentParser
import Foundation
public import TroupeManifest
import TroupePlan

extension DiagnosticRenderer.Format: ExpressibleByArgument {}

struct Validate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a manifest offline: syntax, keys, types, references, the render matrix and local files.",
        discussion: """
            Every problem is reported at once, compiler style (file:line:col), with a hint.
            Exit status: 0 valid, 2 invalid.

            Examples:
              troupe validate
              troupe validate manifests/mascot.yaml
              troupe validate campaign.yaml --format json | jq .message
            """)

    @Argument(help: "The manifest.") var manifest: String = "troupe.yaml"
    @Option(help: "How to print diagnostics: text (stderr) or json (stdout, one object per line).")
    var format: DiagnosticRenderer.Format = .text
    @Flag(help: "Download URL media given without sha256 (or duration) to measure them; remembered by URL and ETag.")
    var fetchRemote = false

    func run() async throws {
        let campaign = await fetchedManifest(manifest, fetchRemote: fetchRemote)
            .map { Campaign.open(loaded: $0, manifest: manifest, status: LockStatus(nil)) } ?? Campaign.validate(manifest: manifest)
        let result = campaign.loaded
        report(campaign.diagnostics, sources: campaign.sources, format: format)
        guard result.isValid, !campaign.diagnostics.hasErrors, let m = result.manifest else { throw ExitCode(2) }
        if format == .text {
            let cells = result.matrix?.cellCount ?? 0
            print("\(manifest): valid — \(m.characters.count) characters, \(m.clips.count) clips, \(cells) renders, \(result.outputs.count) outputs")
        }
    }
}

/// Prints diagnostics: text to stderr, JSON lines to stdout.
func report(_ diagnostics: [Diagnostic], sources: [SourceText], format: DiagnosticRenderer.Format) {
    guard !diagnostics.isEmpty else { return }
    let text = DiagnosticRenderer(sources: sources).render(diagnostics, format: format)
    if format == .json {
        FileHandle.standardOutput.write(Data(text.utf8))
    } else {
        let errors = diagnostics.filter { $0.severity == .error }.count
        let warnings = diagnostics.filter { $0.severity == .warning }.count
        var summary = [String]()
        if errors > 0 { summary.append("\(errors) error\(errors == 1 ? "" : "s")") }
        if warnings > 0 { summary.append("\(warnings) warning\(warnings == 1 ? "" : "s")") }
        // Notes alone (identical inputs, say) need no summary line.
        FileHandle.standardError.write(Data((text + (summary.isEmpty ? "" : summary.joined(separator: ", ") + " generated.\n")).utf8))
    }
}
