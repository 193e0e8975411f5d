import TroupeSupport

/// Prints diagnostics compiler style (`file:line:col: error: …`, the source line, a caret,
/// then notes) or as JSON lines for tools.
public struct DiagnosticRenderer: Sendable {
    public enum Format: String, Sendable, CaseIterable { case text, json }

    private let sources: [String: SourceText]

    public init(sources: [SourceText]) {
        var byPath: [String: SourceText] = [:]
        for s in sources { byPath[s.path] = s }
        self.sources = byPath
    }

    public func render(_ diagnostics: [Diagnostic], format: Format) -> String {
        var out = ""
        for d in diagnostics {
            switch format {
            case .text: out += text(d)
            case .json: out += json(d) + "\n"
            }
        }
        return out
    }

    public func text(_ d: Diagnostic) -> String {
        var out = "\(d.file):\(d.line):\(d.column): \(d.severity.rawValue): \(d.message)\n"
        out += excerpt(file: d.file, line: d.line, column: d.column, span: d.span)
        if let hint = d.hint {
            out += "\(d.file):\(d.line):\(d.column): note: \(hint)\n"
        }
        for r in d.related {
            out += "\(r.file):\(r.line):\(r.column): note: \(r.message)\n"
            out += excerpt(file: r.file, line: r.line, column: r.column, span: 1)
        }
        return out
    }

    /// The quoted source line with a caret under the span; long lines are cut around the column.
    private func excerpt(file: String, line: Int, column: Int, span: Int) -> String {
        guard let text = sources[file]?.line(line) else { return "" }
        let maxWidth = 160
        var chars = Array(text.replacingTabs())
        var caretColumn = max(1, min(column, chars.count + 1))
        var prefix = ""
        if chars.count > maxWidth {
            let start = max(0, min(caretColumn - 1 - maxWidth / 2, chars.count - maxWidth))
            chars = Array(chars[start..<min(chars.count, start + maxWidth)])
            if start > 0 { prefix = "…" }
            caretColumn = caretColumn - start + prefix.count
            if start + maxWidth < text.count { chars.append("…") }
        }
        let gutter = String(line)
        let pad = String(repeating: " ", count: gutter.count)
        let underlineWidth = max(1, min(span, chars.count - caretColumn + 1 + prefix.count))
        let caret = String(repeating: " ", count: caretColumn - 1) + "^"
            + String(repeating: "~", count: max(0, underlineWidth - 1))
        return "   \(gutter) | \(prefix)\(String(chars))\n   \(pad) | \(caret)\n"
    }

    public func json(_ d: Diagnostic) -> String {
        var fields: [(String, String)] = [
            ("file", JSONString.quote(d.file)),
            ("line", String(d.line)),
            ("column", String(d.column)),
            ("severity", JSONString.quote(d.severity.rawValue)),
            ("code", JSONString.quote(d.code)),
            ("message", JSONString.quote(d.message)),
            ("hint", d.hint.map(JSONString.quote) ?? "null"),
        ]
        if !d.related.isEmpty {
            let items = d.related.map { r in
                "{\"file\":\(JSONString.quote(r.file)),\"line\":\(r.line),\"column\":\(r.column),\"message\":\(JSONString.quote(r.message))}"
            }
            fields.append(("related", "[" + items.joined(separator: ",") + "]"))
        }
        return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }
}

extension String {
    fileprivate func replacingTabs() -> String {
        String(self.map { $0 == "\t" ? " " : $0 })
    }
}
