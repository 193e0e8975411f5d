import TroupeSupport
/// Typed access to nodes that records a diagnostic, with the node's position, for every
/// value of the wrong shape, and carries on so all problems are reported at once.
struct NodeReader {
    let file: String
    var diagnostics: [Diagnostic] = []

    /// A mapping's entries by key, after unknown keys have been reported.
    struct Fields {
        let node: Node
        let path: String
        var values: [String: Node] = [:]
        var keyMarks: [String: Mark] = [:]
        var order: [String] = []

        subscript(key: String) -> Node? {
            guard let v = values[key], !v.isNull else { return nil }
            return v
        }
        func keyMark(_ key: String) -> Mark { keyMarks[key] ?? node.mark }
    }

    mutating func error(_ mark: Mark, span: Int = 1, _ code: String, _ message: String,
                        hint: String? = nil, related: [Diagnostic.Related] = []) {
        diagnostics.append(Diagnostic(file: file, at: mark, span: span, code: code, message: message,
                                      hint: hint, related: related))
    }

    mutating func error(_ node: Node, _ code: String, _ message: String, hint: String? = nil) {
        error(node.mark, span: node.span, code, message, hint: hint)
    }

    mutating func wrongType(_ node: Node, _ path: String, expected: String, hint: String? = nil) {
        error(node, "wrong-type", "'\(path)' must be \(expected), found \(node.kindName)", hint: hint)
    }

    /// Reads a mapping, reporting unknown keys (with a suggestion) and non-string keys.
    mutating func fields(_ node: Node, _ path: String, allowed: [String],
                         special: [String: String] = [:]) -> Fields? {
        guard case .mapping(let pairs) = node.content else {
            wrongType(node, path, expected: "a mapping")
            return nil
        }
        var f = Fields(node: node, path: path)
        for pair in pairs {
            guard let key = pair.key.scalar else {
                error(pair.key, "wrong-type", "keys in '\(path)' must be plain names, found \(pair.key.kindName)")
                continue
            }
            guard allowed.contains(key) else {
                let where_ = path.isEmpty ? "at the top level" : "in '\(path)'"
                let hint = special[key] ?? Suggestion.hint(for: key, in: allowed)
                    ?? "allowed keys: \(allowed.joined(separator: ", "))"
                error(pair.key, "unknown-key", "unknown key '\(key)' \(where_)", hint: hint)
                continue
            }
            if f.values[key] == nil { f.order.append(key) }
            f.values[key] = pair.value
            f.keyMarks[key] = pair.key.mark
        }
        return f
    }

    /// Reads a mapping whose keys are user-chosen names (characters, clips, elements).
    mutating func namedEntries(_ node: Node, _ path: String) -> [(name: Located<String>, value: Node)] {
        guard case .mapping(let pairs) = node.content else {
            wrongType(node, path, expected: "a mapping of names to entries")
            return []
        }
        var out: [(Located<String>, Node)] = []
        var seen = Set<String>()
        for pair in pairs {
            guard let key = pair.key.scalar else {
                error(pair.key, "wrong-type", "keys in '\(path)' must be names, found \(pair.key.kindName)")
                continue
            }
            guard seen.insert(key).inserted else { continue }  // reported by the parser
            out.append((Located(key, at: pair.key.mark, span: pair.key.span), pair.value))
        }
        return out
    }

    mutating func require(_ f: Fields, _ key: String) -> Node? {
        if let v = f[key] { return v }
        let inside = f.path.isEmpty ? "the manifest" : "'\(f.path)'"
        if f.values[key] != nil {
            error(f.keyMark(key), span: key.count, "missing-value", "'\(join(f.path, key))' has no value",
                  hint: "give '\(key)' a value")
        } else {
            error(f.node.mark, "missing-key", "\(inside) is missing required key '\(key)'",
                  hint: "add `\(key): …`")
        }
        return nil
    }

    func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    mutating func string(_ node: Node, _ path: String) -> Located<String>? {
        guard let s = node.scalar, !node.isNull else {
            wrongType(node, path, expected: "a string")
            return nil
        }
        return Located(s, at: node.mark, span: node.span)
    }

    mutating func number(_ node: Node, _ path: String) -> Located<Double>? {
        guard node.isPlain, let s = node.scalar, let d = Double(s), d.isFinite else {
            wrongType(node, path, expected: "a number")
            return nil
        }
        return Located(d, at: node.mark, span: node.span)
    }

    mutating func positiveNumber(_ node: Node, _ path: String) -> Located<Double>? {
        guard let n = number(node, path) else { return nil }
        guard n.value > 0 else {
            error(node, "out-of-range", "'\(path)' must be greater than 0, found \(NumberText.shortest(n.value))")
            return nil
        }
        return n
    }

    mutating func integer(_ node: Node, _ path: String) -> Located<Int64>? {
        guard node.isPlain, let s = node.scalar, let i = Int64(s) else {
            wrongType(node, path, expected: "a whole number")
            return nil
        }
        return Located(i, at: node.mark, span: node.span)
    }

    mutating func bool(_ node: Node, _ path: String) -> Located<Bool>? {
        guard node.isPlain, let s = node.scalar, s == "true" || s == "false" else {
            let hint = ["yes", "no", "on", "off", "True", "False"].contains(node.scalar ?? "")
                ? "write true or false" : nil
            wrongType(node, path, expected: "true or false", hint: hint)
            return nil
        }
        return Located(s == "true", at: node.mark, span: node.span)
    }

    mutating func choice<E: RawRepresentable & CaseIterable>(_ node: Node, _ path: String, _: E.Type) -> Located<E>?
    where E.RawValue == String {
        guard let s = string(node, path) else { return nil }
        guard let v = E(rawValue: s.value) else {
            let options = E.allCases.map(\.rawValue)
            let hint = Suggestion.hint(for: s.value, in: options) ?? "use one of: \(options.joined(separator: ", "))"
            error(node, "invalid-value", "'\(path)' must be one of \(options.joined(separator: ", ")); found '\(s.value)'",
                  hint: hint)
            return nil
        }
        return Located(v, at: node.mark, span: node.span)
    }

    mutating func list(_ node: Node, _ path: String) -> [Node]? {
        guard case .sequence(let items) = node.content else {
            wrongType(node, path, expected: "a list")
            return nil
        }
        return items
    }

    mutating func stringList(_ node: Node, _ path: String) -> [Located<String>]? {
        // A single name is accepted where a list is expected: `characters: mochi`.
        if node.scalar != nil, !node.isNull { return string(node, path).map { [$0] } }
        guard let items = list(node, path) else { return nil }
        return items.enumerated().compactMap { string($1, "\(path)[\($0)]") }
    }

    /// `[start, end]` in seconds with 0 ≤ start < end.
    mutating func trim(_ node: Node, _ path: String) -> Located<ClosedRange<Double>>? {
        guard case .sequence(let items) = node.content, items.count == 2 else {
            wrongType(node, path, expected: "[start, end] in seconds", hint: "e.g. trim: [1.0, 6.5]")
            return nil
        }
        guard let start = number(items[0], "\(path)[0]"), let end = number(items[1], "\(path)[1]") else { return nil }
        if start.value < 0 {
            error(items[0], "invalid-trim", "trim start \(NumberText.shortest(start.value)) s is negative",
                  hint: "trim times are seconds from the start of the clip, 0 or more")
            return nil
        }
        if start.value >= end.value {
            error(node, "invalid-trim",
                  "trim start \(NumberText.shortest(start.value)) s is not before its end \(NumberText.shortest(end.value)) s",
                  hint: "write [start, end] with start < end")
            return nil
        }
        return Located(start.value...end.value, at: node.mark, span: node.span)
    }
}
