import Foundation

/// `--only` or `--reroll` patterns that match nothing: a typo must not pass as "nothing to do".
public struct UnmatchedPatterns: Error, CustomStringConvertible {
    public struct Pattern: Sendable {
        public var option: String
        public var pattern: String
        public var suggestion: String?
    }
    public var patterns: [Pattern]
    public var description: String {
        patterns.map { p in
            "\(p.option) '\(p.pattern)' matches no \(p.option == "--reroll" ? "render" : "render or output")"
                + (p.suggestion.map { "; did you mean '\($0)'?" } ?? "")
        }.joined(separator: "\n")
    }
}

/// `--locked` refused the run before it started: these paid jobs would have to be created.
public struct LockedRunRefused: Error, CustomStringConvertible {
    public var jobs: [LockedRefusal]
    public var description: String {
        "--locked: \(jobs.count) paid job(s) would have to be created: " + jobs.prefix(5).map(\.job).joined(separator: ", ")
            + (jobs.count > 5 ? ", …" : "")
    }
}

/// A job this run cannot do as the manifest stands (a local medium without an upload store);
/// the provider's failures are `RunFailure`s.
public enum RunError: Error, CustomStringConvertible {
    case unsupported(String)
    public var description: String {
        switch self {
        case .unsupported(let m): return m
        }
    }
}

/// Set once to stop the run: by a signal (no reason) or by a provider answer no job can get
/// past (its words kept for the summary).
final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false
    private var why: String?

    var isSet: Bool { lock.withLock { stopped } }
    var reason: String? { lock.withLock { why } }

    /// Called once, when the flag is first set.
    var onSet: (@Sendable () -> Void)?

    func set(reason: String?) {
        let first = lock.withLock {
            defer { stopped = true }
            if why == nil { why = reason }
            return !stopped
        }
        if first { onSet?() }
    }
}
