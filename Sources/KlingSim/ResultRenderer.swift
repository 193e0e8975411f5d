public import Foundation

/// The video a finished task hands out, and how long it is (which sets the units charged).
public struct RenderedResult: Sendable {
    /// The bytes themselves, or a file the renderer wrote (read when the result URL is fetched).
    public enum Content: Sendable {
        case bytes(Data)
        case file(path: String)
    }

    public var content: Content
    public var durationSeconds: Double
    public var contentType: String

    public init(data: Data, durationSeconds: Double, contentType: String = "video/mp4") {
        self.init(content: .bytes(data), durationSeconds: durationSeconds, contentType: contentType)
    }

    public init(path: String, durationSeconds: Double, contentType: String = "video/mp4") {
        self.init(content: .file(path: path), durationSeconds: durationSeconds, contentType: contentType)
    }

    public init(content: Content, durationSeconds: Double, contentType: String = "video/mp4") {
        self.content = content
        self.durationSeconds = durationSeconds
        self.contentType = contentType
    }

    func bytes() -> Data? {
        switch content {
        case .bytes(let data): data
        case .file(let path): FileManager.default.contents(atPath: path)
        }
    }

    var size: Int {
        switch content {
        case .bytes(let data): data.count
        case .file(let path): ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
        }
    }
}

/// Makes the result of a motion-control task from the create request and the billed seconds
/// (`SimConfiguration.billedSeconds`); the duration it returns sets final_unit_deduction. The default writes a placeholder;
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
