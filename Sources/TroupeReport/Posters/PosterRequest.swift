/// A picture the page needs: one frame of a video or image, or a filmstrip of several videos.
/// `name` is its file name under `posters/`, derived from content keys, so a name that exists
/// already holds the right picture.
public struct PosterRequest: Sendable, Hashable {
    public enum Source: Sendable, Hashable {
        /// One picture of a video (at `at` seconds; nil: the middle) or of an image.
        case frame(path: String, at: Double?)
        /// A row of these posters (names of other requests), in order: made from the small
        /// pictures already decoded rather than from the videos again.
        case strip([String])
    }

    public var name: String
    public var source: Source
    /// Width in pixels (a strip's width per frame).
    public var width: Int

    public init(name: String, source: Source, width: Int) {
        self.name = name
        self.source = source
        self.width = width
    }

    /// The picture's link from the page.
    public var href: String { "posters/" + name }
}
