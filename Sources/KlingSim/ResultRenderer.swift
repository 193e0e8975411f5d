public import Foundation

/// The video a finished task hands out, and how long it is (which sets the units charged).
public struct RenderedResult: Sendable {
    public var data: Data
    public var durationSeconds: Double
    public var contentType: String

    public init(data: Data, durationSeconds: Double, contentType: String = "video/mp4") {
        self.data = data
        self.durationSeconds = durationSeconds
        self.contentType = contentType
    }
}

/// Makes the result of a motion-control task. The default writes a placeholder;
/// the preview renderer plugs in here to produce real video.
public protocol ResultRenderer: Sendable {
    func render(_ request: SimCreateRequest, billedSeconds: Double) async throws -> RenderedResult
}

/// Adapts a closure to `ResultRenderer`.
public struct ClosureRenderer: ResultRenderer {
    let body: @Sendable (SimCreateRequest, Double) async throws -> RenderedResult
    public init(_ body: @escaping @Sendable (SimCreateRequest, Double) async throws -> RenderedResult) { self.body = body }
    public func render(_ request: SimCreateRequest, billedSeconds: Double) async throws -> RenderedResult {
        try await body(request, billedSeconds)
    }
}

/// A small deterministic file naming what would have been rendered: same request, same bytes.
public struct PlaceholderRenderer: ResultRenderer {
    public init() {}
    public func render(_ request: SimCreateRequest, billedSeconds: Double) async throws -> RenderedResult {
        let text = """
        troupe-sim placeholder result
        model=\(request.modelName) mode=\(request.mode) orientation=\(request.characterOrientation)
        image=\(request.imageURL)
        video=\(request.videoURL)
        keep_original_sound=\(request.keepOriginalSound) elements=\(request.elementIDs)
        prompt=\(request.prompt)
        seconds=\(billedSeconds)

        """
        return RenderedResult(data: Data(text.utf8), durationSeconds: billedSeconds, contentType: "video/mp4")
    }
}
