import Foundation

/// A campaign whose media are URLs (declared digest and duration, so nothing is fetched to
/// plan it), rendered by `kling` — for runs against troupe-sim with placeholder results.
public enum RemoteManifest {
    /// `characters` × `clips` renders of `seconds` each; `extra` is appended verbatim.
    /// `twins` more characters share the images of the first ones (`c0-twin` has `c0`'s) and
    /// `copies` more clips are the first clips again (`k0-copy`): identical inputs, so their
    /// cells share renders and the campaign still has `characters` × `clips` paid renders.
    public static func text(characters: Int, clips: Int, seconds: Double = 5, concurrency: Int = 5,
                            rate: String = "50/s", maxUnits: Double? = nil, twins: Int = 0, copies: Int = 0,
                            extra: String = "") -> String {
        var y = """
        troupe: 1
        name: sim-campaign
        provider: {use: kling, model: kling-v3, mode: std, concurrency: \(concurrency), rate: \(rate)}

        """
        if let maxUnits { y += "budget: {max_units: \(maxUnits)}\n" }
        y += "defaults: {orientation: video, prompt: \"sim\"}\ncharacters:\n"
        for c in 0..<characters {
            y += "  c\(c): {image: \"https://media.example/c\(c).png\", sha256: \(digest("image-\(c)"))}\n"
        }
        for c in 0..<twins {
            y += "  c\(c)-twin: {image: \"https://mirror.example/c\(c).png\", sha256: \(digest("image-\(c)"))}\n"
        }
        y += "clips:\n"
        for k in 0..<clips {
            y += "  k\(k): {video: \"https://media.example/k\(k).mp4\", sha256: \(digest("clip-\(k)")), duration: \(seconds)}\n"
        }
        for k in 0..<copies {
            y += "  k\(k)-copy: {video: \"https://mirror.example/k\(k).mp4\", sha256: \(digest("clip-\(k)")), duration: \(seconds)}\n"
        }
        y += "renders:\n  - characters: [\"*\"]\n    clips: [\"*\"]\n"
        return y + extra
    }

    /// 64 hex digits that stand for a medium's content.
    static func digest(_ name: String) -> String {
        var h: UInt64 = 0xcbf29ce484222325
        for b in name.utf8 { h = (h ^ UInt64(b)) &* 0x100000001b3 }
        return String(repeating: String(format: "%016llx", h), count: 4)
    }

    /// Environment for a troupe process talking to a simulator at `baseURL`.
    public static func environment(simulator baseURL: String, s3 endpoint: String? = nil) -> [String: String] {
        var env = ["KLING_ACCESS_KEY": "sim-access-key", "KLING_SECRET_KEY": "sim-secret-key", "KLING_BASE_URL": baseURL]
        if endpoint != nil {
            env["AWS_ACCESS_KEY_ID"] = "test"
            env["AWS_SECRET_ACCESS_KEY"] = "test"
        }
        return env
    }
}
