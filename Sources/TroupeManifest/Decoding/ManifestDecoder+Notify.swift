/// `notify: {url: …, on: [finished, failed, budget]}`: where `troupe run` reports how it ended.
extension ManifestDecoder {
    mutating func decodeNotify(_ node: Node) -> NotifySettings? {
        guard let f = reader.fields(node, "notify", allowed: ManifestKeys.notify) else { return nil }
        var on = Set(NotifyEvent.allCases)
        if let v = f["on"], let items = reader.list(v, "notify.on") {
            on = Set(items.compactMap { reader.choice($0, "notify.on[]", NotifyEvent.self)?.value })
            if items.isEmpty {
                reader.error(v, "invalid-value", "'notify.on' is empty: no run would ever be reported",
                             hint: "list some of finished, failed, budget, or remove `notify:`")
            }
        }
        guard let v = reader.require(f, "url"), let url = reader.string(v, "notify.url") else { return nil }
        let settings = NotifySettings(url: url, on: on, mark: node.mark)
        if let name = settings.environmentVariable {
            if !Self.isVariableName(name) {
                reader.error(v, "invalid-value", "'notify.url' names the variable '\(name)', which is not a variable name",
                             hint: "write `url: $SLACK_WEBHOOK_URL` (letters, digits and _)")
            }
        } else if let problem = NotifySettings.urlProblem(url.value) {
            reader.error(v, "invalid-value", "'notify.url' \(problem)",
                         hint: "use an https URL; better, keep it out of the manifest: `url: $SLACK_WEBHOOK_URL` reads it from the environment")
        }
        return settings
    }

    static func isVariableName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }
}
