import TroupeSupport

/// Markup escaping, in one place: every piece of text or attribute value that reaches the
/// page passes through `escape`, so a prompt, a provider's error message or a file name
/// cannot break the page or run script in it.
enum HTML {
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for ch in text.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    /// A relative link: each path segment percent-encoded (a space, `#` or `?` in a folder
    /// name would otherwise cut the URL), then escaped like any attribute value.
    static func href(_ path: String) -> String { escape(PercentEncoding.encode(path, keepingSlashes: true)) }
}
