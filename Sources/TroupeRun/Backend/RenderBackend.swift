public import TroupeManifest
public import TroupePlan

/// The files a render reads, resolved to local paths (the preview renderer) or URLs.
public struct RenderInputs: Sendable {
    public var imagePath: String
    public var clipPath: String
    public var settings: RenderSettings
    public var seconds: Int
}

/// What a finished render reports back.
public struct RenderOutcome: Sendable {
    public var taskId: String?
    public var unitsCharged: Double
}

/// Renders one cell into a file, in-process. Only the preview provider implements it: Kling
/// renders go through `RemoteProvider` (`KlingRemote`) and the remote session, which create
/// a task, poll and download; fal can be planned but not run yet.
public protocol RenderBackend: Sendable {
    var name: String { get }
    func render(_ job: Job, inputs: RenderInputs, to output: String) async throws -> RenderOutcome
}
