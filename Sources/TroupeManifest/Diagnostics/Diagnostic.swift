/// One problem found in a manifest, with where it is and what to do about it.
/// Finding is separate from printing: see `DiagnosticRenderer`.
public struct Diagnostic: Sendable, Hashable, Codable {
    public enum Severity: String, Sendable, Codable { case error, warning, note }

    /// A second location that explains the first (e.g. where a duplicate was first defined).
    public struct Related: Sendable, Hashable, Codable {
        public var file: String
        public var line: Int
        public var column: Int
        public var message: String

        public init(file: String, line: Int, column: Int, message: String) {
            self.file = file
            self.line = line
            self.column = column
            self.message = message
        }

        public init(file: String, at mark: Mark, message: String) {
            self.file = file
            self.line = mark.line
            self.column = mark.column
            self.message = message
        }
    }

    public var file: String
    public var line: Int
    public var column: Int
    public var severity: Severity
    /// Stable identifier for tooling, e.g. `unknown-key`.
    public var code: String
    public var message: String
    /// What to do about it.
    public var hint: String?
    public var related: [Related]
    /// Width of the caret underline in the source line.
    public var span: Int

    public init(file: String, at mark: Mark, span: Int = 1, severity: Severity = .error, code: String,
                message: String, hint: String? = nil, related: [Related] = []) {
        self.file = file
        self.line = mark.line
        self.column = mark.column
        self.span = max(1, span)
        self.severity = severity
        self.code = code
        self.message = message
        self.hint = hint
        self.related = related
    }

    public var mark: Mark { Mark(line: line, column: column) }
}

extension Array where Element == Diagnostic {
    public var hasErrors: Bool { contains { $0.severity == .error } }
}
