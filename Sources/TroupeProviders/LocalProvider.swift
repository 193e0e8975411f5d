public import TroupeManifest

/// The files a local render reads, resolved to paths, and how to render them.
public struct RenderInputs: Sendable {
    public var imagePath: String
    public var clipPath: String
    public var settings: RenderSettings
    /// The billed duration: the length of the result.
    public var seconds: Int

    public init(imagePath: String, clipPath: String, settings: RenderSettings, seconds: Int) {
        self.imagePath = imagePath
        self.clipPath = clipPath
        self.settings = settings
        self.seconds = seconds
    }
}

/// What a finished local render reports back.
public struct RenderOutcome: Sendable {
    public var taskId: String?
    public var unitsCharged: Double
    /// Something the user should know about this render that did not fail it (the preview
    /// found no clear subject to follow in the clip).
    public var notice: String?

    public init(taskId: String? = nil, unitsCharged: Double, notice: String? = nil) {
        self.taskId = taskId
        self.unitsCharged = unitsCharged
        self.notice = notice
    }
}

/// A provider that renders one cell into a file in this process (preview). Remote providers
/// (Kling, fal) are `RemoteProvider`s: the executor drives their tasks instead.
public protocol LocalProvider: Provider {
    func render(_ inputs: RenderInputs, to output: String) async throws -> RenderOutcome
}
