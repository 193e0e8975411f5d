public import TroupeProviders
import TroupePlan

/// The names the executor and the CLI knew the providers' types by before they moved to
/// TroupeProviders; new code uses `LocalProvider` and `PreviewProvider`.
public typealias RenderBackend = LocalProvider
public typealias PreviewBackend = PreviewProvider

extension LocalProvider {
    /// The executor's call: a local render needs its inputs, not the job.
    func render(_ job: Job, inputs: RenderInputs, to output: String) async throws -> RenderOutcome {
        try await render(inputs, to: output)
    }
}
