extension ReportPage {
    /// The deliverables made for one platform preset, or for one `size:` (named `WxH`).
    public struct DeliverableGroup: Sendable, Equatable {
        /// The preset's name (`reels`, `youtube`, …) or `WxH`.
        public var platform: String
        public var width: Int
        public var height: Int
        /// In the manifest's order.
        public var items: [Deliverable]
    }

    /// One deliverable: an output with `platform:` or `size:`, its player, poster and GIF.
    public struct Deliverable: Sendable, Equatable {
        public var name: String
        public var platform: String
        public var width: Int
        public var height: Int
        /// Done (its MP4 exported and current), new, failed (the post-step's error in `reason`).
        public var status: CellStatus
        public var reason: String?
        /// Seconds: as the run measured the file, else as planned (end card included).
        public var seconds: Double?
        /// The exported MP4's size in bytes, when it is there.
        public var bytes: Int?
        /// The exported MP4, when done.
        public var video: String?
        /// The picture the page shows for it (in `posters/`, made like every poster of the page):
        /// from the deliverable's own `poster:` JPEG when the manifest asks for one, else the
        /// middle frame of its MP4.
        public var poster: String?
        /// The deliverable's own poster file (`out/NAME.jpg`), when asked for and made.
        public var posterFile: String?
        /// Its GIF (`out/NAME.gif`), when asked for and made.
        public var gif: String?
    }

    /// Every deliverable of the page, group by group.
    public var allDeliverables: [Deliverable] { deliverables.flatMap(\.items) }
}
