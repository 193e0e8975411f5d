/// When `troupe run` sends its notice.
public enum NotifyEvent: String, Sendable, CaseIterable {
    /// Every job done.
    case finished
    /// Some jobs failed, or the run stopped for another reason (interrupted, refused by --locked).
    case failed
    /// Stopped by a budget, policy or resource-pack limit before or while spending.
    case budget
}

/// The manifest's `notify:` section: where `troupe run` POSTs a summary when it ends.
public struct NotifySettings: Sendable {
    /// As written: an https URL, or `$NAME` / `${NAME}` to read it from the environment, since
    /// a webhook URL (Slack's, say) is itself a secret and a manifest is committed.
    public var url: Located<String>
    public var on: Set<NotifyEvent>
    public var mark: Mark

    public init(url: Located<String>, on: Set<NotifyEvent> = Set(NotifyEvent.allCases), mark: Mark) {
        self.url = url
        self.on = on
        self.mark = mark
    }

    /// `$NAME` or `${NAME}`: the variable named, else nil (a URL written out).
    public var environmentVariable: String? {
        let v = url.value
        guard v.hasPrefix("$") else { return nil }
        let name = v.hasPrefix("${") && v.hasSuffix("}") ? String(v.dropFirst(2).dropLast()) : String(v.dropFirst())
        return name
    }

    /// Why `url` cannot receive a notice: https, or plain http to this machine only (a notice
    /// names the campaign and its spending). Messages never repeat the URL: it may carry a secret.
    public static func urlProblem(_ url: String) -> String? {
        if url.hasPrefix("https://"), url.count > 8 { return nil }
        if url.hasPrefix("http://") {
            let rest = url.dropFirst(7)
            let host = rest.hasPrefix("[") ? String(rest.prefix { $0 != "]" }) + "]" : String(rest.prefix { $0 != "/" && $0 != ":" })
            if host == "localhost" || host.hasPrefix("127.") || host == "[::1]" { return nil }
            return "uses plain http to '\(host)'"
        }
        return "is not an http(s) URL"
    }
}
