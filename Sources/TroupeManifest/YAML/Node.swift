/// A YAML node with the source position it came from, so every later stage can point
/// at the text a user wrote.
public struct Node: Sendable {
    public enum Content: Sendable {
        case scalar(String)
        case sequence([Node])
        case mapping([Pair])
    }

    public struct Pair: Sendable {
        public var key: Node
        public var value: Node
    }

    public var content: Content
    public var mark: Mark
    /// Length of the node's first source line, for the caret under it.
    public var span: Int
    /// Plain (unquoted) scalars are the only ones that can be numbers, booleans or null.
    public var isPlain: Bool
    /// Came from `[...]` or `{...}` rather than block style.
    public var isFlow: Bool

    public init(_ content: Content, mark: Mark, span: Int = 1, isPlain: Bool = false, isFlow: Bool = false) {
        self.content = content
        self.mark = mark
        self.span = span
        self.isPlain = isPlain
        self.isFlow = isFlow
    }

    public var scalar: String? {
        if case .scalar(let s) = content { return s }
        return nil
    }

    public var isNull: Bool {
        guard isPlain, case .scalar(let s) = content else { return false }
        return s.isEmpty || s == "~" || s == "null" || s == "Null" || s == "NULL"
    }

    /// What a user would call this node's type, for "expected X, found Y" messages.
    public var kindName: String {
        switch content {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar(let s):
            if isNull { return "nothing (null)" }
            if isPlain {
                if s == "true" || s == "false" { return "a boolean" }
                if Double(s) != nil { return "a number" }
            }
            return "a string"
        }
    }
}
