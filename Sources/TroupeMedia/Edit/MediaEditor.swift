/// Local post-steps on clips: trim, concat, conform. Each writes its output atomically.
public enum MediaEditor {
    /// How an edit was carried out.
    public enum Method: String, Sendable, Codable {
        /// Packets copied as they are: fast and lossless.
        case streamCopy = "stream-copy"
        /// Decoded and encoded again (libx264/AAC).
        case reencode
    }
}
