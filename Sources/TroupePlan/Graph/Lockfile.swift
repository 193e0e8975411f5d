public import Foundation

/// `troupe.lock`: what a campaign produced, committed to git. Sorted keys and one entry per
/// element, render and output keep its diffs readable.
public struct Lockfile: Sendable, Codable, Equatable {
    public struct Element: Sendable, Codable, Equatable {
        public var key: String
        public var elementId: Int64?
        public var taskId: String?
        public var units: Double?
        /// Another element with identical inputs: it made the element (and was paid) for both.
        public var sameAs: String?

        public init(key: String, elementId: Int64? = nil, taskId: String? = nil, units: Double? = nil, sameAs: String? = nil) {
            self.key = key
            self.elementId = elementId
            self.taskId = taskId
            self.units = units
            self.sameAs = sameAs
        }

        enum CodingKeys: String, CodingKey {
            case key, units
            case elementId = "element_id"
            case taskId = "task_id"
            case sameAs = "same_as"
        }
    }

    public struct Render: Sendable, Codable, Equatable {
        public var key: String
        public var taskId: String?
        /// The idempotency key the task was created with (`troupe-…`, `-rN` after a re-roll):
        /// a clone without the state store asks the provider by it before it would create.
        public var externalTaskId: String?
        public var sha256: String?
        public var duration: Double?
        public var units: Double?
        /// Another cell with identical inputs whose entry holds the task: one render, paid once,
        /// so its units are counted there only.
        public var sameAs: String?
        /// When the provider's result was fetched (ISO 8601, UTC, whole seconds): a provider keeps
        /// results for a while only (Kling: 30 days), so a lock can tell how old they are.
        public var madeAt: String?

        public init(key: String, taskId: String? = nil, externalTaskId: String? = nil, sha256: String? = nil,
                    duration: Double? = nil, units: Double? = nil, madeAt: String? = nil) {
            self.key = key
            self.taskId = taskId
            self.externalTaskId = externalTaskId
            self.sha256 = sha256
            self.duration = duration
            self.units = units
            self.madeAt = madeAt
        }

        /// An entry that points at the cell holding the shared task.
        public init(key: String, sameAs: String) {
            self.key = key
            self.sameAs = sameAs
        }

        enum CodingKeys: String, CodingKey {
            case key, sha256, duration, units
            case taskId = "task_id"
            case externalTaskId = "external_task_id"
            case sameAs = "same_as"
            case madeAt = "made_at"
        }
    }

    public struct Output: Sendable, Codable, Equatable {
        public var key: String
        public var sha256: String?
        public var duration: Double?

        public init(key: String, sha256: String? = nil, duration: Double? = nil) {
            self.key = key
            self.sha256 = sha256
            self.duration = duration
        }
    }

    /// 2: a task shared by cells with identical inputs is recorded once (`same_as`). A lock
    /// of format 1 gave every such cell the task's units; it is read and rewritten as 2.
    public static let currentFormat = 2
    public var format: Int = Lockfile.currentFormat
    public var elements: [String: Element] = [:]
    public var renders: [String: Render] = [:]
    public var outputs: [String: Output] = [:]

    public init() {}

    public static func read(_ path: String) throws -> Lockfile? {
        try load(path).get()
    }

    /// The lock at `path`, nil when there is none, or why it cannot be used, located in the file.
    public static func load(_ path: String) -> Result<Lockfile?, LockProblem> {
        guard let data = FileManager.default.contents(atPath: path) else {
            if FileManager.default.fileExists(atPath: path) {
                return .failure(LockProblem(path: path, line: 1, column: 1, message: "cannot be read"))
            }
            return .success(nil)
        }
        do {
            let lock = try JSONDecoder().decode(Lockfile.self, from: data)
            guard lock.format <= currentFormat else {
                return .failure(LockProblem(path: path, line: 1, column: 1,
                                            message: "has format \(lock.format), newer than this troupe understands (\(currentFormat))",
                                            hint: "upgrade troupe"))
            }
            return .success(lock)
        } catch {
            return .failure(LockProblem(path: path, data: data, error: error))
        }
    }

    public func encoded() throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try e.encode(self)
        data.append(UInt8(ascii: "\n"))
        return data
    }

    /// The entry holding the task of the render named by one of `names` with this key,
    /// following `same_as`; nil when the lock has none.
    public func render(key: String, names: [String]) -> Render? {
        for name in names {
            guard let r = renders[name], r.key == key else { continue }
            guard let owner = r.sameAs else { return r }
            if let o = renders[owner], o.key == key, o.sameAs == nil { return o }
        }
        return nil
    }

    /// The same for elements.
    public func element(key: String, names: [String]) -> Element? {
        for name in names {
            guard let e = elements[name], e.key == key else { continue }
            guard let owner = e.sameAs else { return e }
            if let o = elements[owner], o.key == key, o.sameAs == nil { return o }
        }
        return nil
    }

    /// Units the lock says were charged: each task once.
    public var unitsCharged: Double {
        renders.values.reduce(0) { $0 + ($1.sameAs == nil ? $1.units ?? 0 : 0) }
            + elements.values.reduce(0) { $0 + ($1.sameAs == nil ? $1.units ?? 0 : 0) }
    }

    /// The file an output entry stands for in the export folder: `NAME.mp4`, or a deliverable's
    /// poster or GIF under its own name (`NAME.jpg`, `NAME.gif`; output names have no dots).
    public static func exportFile(ofOutput name: String) -> String {
        name.hasSuffix(".jpg") || name.hasSuffix(".gif") ? name : name + ".mp4"
    }

    /// Every key the lock records.
    public var keys: Set<String> {
        Set(elements.values.map(\.key)).union(renders.values.map(\.key)).union(outputs.values.map(\.key))
    }
}

/// Where job status comes from: the lock file now, the executor's state store later.
public protocol JobStatusSource: Sendable {
    func status(ofKey key: String, kind: JobKind) -> JobStatus
}

/// Status from troupe.lock alone: locked if recorded, otherwise new.
public struct LockStatus: JobStatusSource {
    public let lockedKeys: Set<String>
    public init(_ lock: Lockfile?) { lockedKeys = lock?.keys ?? [] }
    public func status(ofKey key: String, kind: JobKind) -> JobStatus { lockedKeys.contains(key) ? .locked : .new }
}

/// A lock file that exists but cannot be used: where, and what to do. Never treated as missing,
/// so a damaged lock is never silently replaced.
public struct LockProblem: Error, CustomStringConvertible {
    public var path: String
    public var line: Int
    public var column: Int
    public var message: String
    public var hint = "restore it from git (git checkout -- FILE), or delete it to rebuild it from the state store and the cache"

    init(path: String, line: Int, column: Int, message: String, hint: String? = nil) {
        self.path = path
        self.line = line
        self.column = column
        self.message = message
        if let hint { self.hint = hint }
    }

    /// Locates a decoding error: a syntax error by the position the parser names, a wrong
    /// value by the first occurrence of the key it is under.
    init(path: String, data: Data, error: any Error) {
        let text = String(decoding: data, as: UTF8.self)
        var line = 1, column = 1
        var what = "\(error)"
        switch error as? DecodingError {
        case .dataCorrupted(let c)?:
            what = c.underlyingError.map { "\($0)" } ?? c.debugDescription
            if let (l, col) = Self.position(in: "\(c.underlyingError.map { "\($0)" } ?? "") \(c.debugDescription)") {
                (line, column) = (l, col)
            } else if let key = c.codingPath.last?.stringValue, let at = Self.find(key: key, in: text) {
                (line, column) = at
            }
        case .typeMismatch(_, let c)?, .valueNotFound(_, let c)?:
            what = "\(c.codingPath.map(\.stringValue).joined(separator: ".")): \(c.debugDescription)"
            if let key = c.codingPath.last?.stringValue, let at = Self.find(key: key, in: text) { (line, column) = at }
        case .keyNotFound(let key, let c)?:
            what = "missing \"\(key.stringValue)\"" + (c.codingPath.isEmpty ? "" : " in \(c.codingPath.map(\.stringValue).joined(separator: "."))")
            if let parent = c.codingPath.last?.stringValue, let at = Self.find(key: parent, in: text) { (line, column) = at }
        default: break
        }
        self.init(path: path, line: line, column: column, message: "is not a valid lock: \(what)")
    }

    /// "line 3, column 5" (swift-foundation's JSON errors say where).
    static func position(in text: String) -> (Int, Int)? {
        guard let r = text.range(of: "line "), let c = text.range(of: "column ", range: r.upperBound..<text.endIndex) else { return nil }
        let l = Int(text[r.upperBound...].prefix { $0.isNumber }), col = Int(text[c.upperBound...].prefix { $0.isNumber })
        guard let l, let col else { return nil }
        return (l, col)
    }

    static func find(key: String, in text: String) -> (Int, Int)? {
        var line = 1
        for row in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if let r = row.range(of: "\"\(key)\"") { return (line, row.distance(from: row.startIndex, to: r.lowerBound) + 1) }
            line += 1
        }
        return nil
    }

    public var description: String { "\(path):\(line):\(column): \(message)" }
}
