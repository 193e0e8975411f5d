public import TroupeManifest
import TroupeMedia

/// The embedded `preview` provider: renders locally, offline and free with TroupeMedia's
/// preview renderer, at the mode's height and the billed duration.
public struct PreviewProvider: LocalProvider {
    public var kind: ProviderKind { .preview }
    public init() {}

    public func render(_ inputs: RenderInputs, to output: String) async throws -> RenderOutcome {
        let summary = try await Task.detached {
            try await PreviewRenderer().render(image: inputs.imagePath, clip: inputs.clipPath, output: output,
                                         height: inputs.settings.mode.outputHeight, seconds: max(1, inputs.seconds),
                                         keepSound: inputs.settings.keepSound,
                                         orientation: inputs.settings.orientation)
        }.value
        return RenderOutcome(taskId: nil, unitsCharged: 0, notice: summary.notice)
    }
}
