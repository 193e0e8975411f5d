import TroupeManifest
import TroupePlan

/// `uploads-required` for the provider a command really uses (the manifest's, or `--provider`'s):
/// a warning for plan, since a price needs no bucket, and an error for run, which would have to
/// upload local (or trimmed) media for a remote provider to fetch. Replaces the loader's own.
func uploadsChecked(_ diagnostics: [Diagnostic], plan: Plan?, severity: Diagnostic.Severity) -> [Diagnostic] {
    guard let plan else { return diagnostics }
    var out = diagnostics.filter { $0.code != "uploads-required" }
    let uploads = plan.jobs.filter { $0.kind == .upload }.count
    guard plan.provider.use.isRemote, plan.manifest.uploads == nil, uploads > 0 else { return out }
    out.append(Diagnostic(
        file: plan.manifest.path, at: plan.manifest.provider.mark, severity: severity, code: "uploads-required",
        message: "provider '\(plan.provider.use.rawValue)' fetches media by URL, but \(uploads) media file\(uploads == 1 ? " is" : "s are") local or trimmed: `troupe run` will need `uploads:`",
        hint: "add `uploads: {s3: {bucket: …, region: …}}` so troupe run can upload them, or use provider preview"))
    out.sort { ($0.line, $0.column) < ($1.line, $1.column) }
    return out
}
