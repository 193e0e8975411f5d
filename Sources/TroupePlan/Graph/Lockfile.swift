public import Foundation

/// `troupe.lock`: what a campaign produced, committed to git. Sorted keys and one entry per
/// element, render and output keep its diffs readable.
public struct Lockfile: Sendable, Codable, Equatable {
    public struct Element: Sendable, Codable, Equatable {
        public var key: String
        public var elementId: Int64?
        public var taskId: String?
        public var units: Double?

        public init(key: String, elementId: Int64? = nil, taskId: String? = nil, units: Double? = nil) {
            self.key = key
            self.elementId = elementId
            self.taskId = taskId
            self.units = units
        }

        enum CodingKeys: String, CodingKey {
            case key, units
            case elementId = "element_id"
            case taskId = "task_id"
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

        public init(key: String, taskId: String? = nil, externalTaskId: String? = nil, sha256: String? = nil,
                    duration: Double? = nil, units: Double? = nil) {
            self.key = key
            self.taskId = taskId
            self.externalTaskId = externalTaskId
            self.sha256 = sha256
            self.duration = duration
            self.units = units
        }

        enum CodingKeys: String, CodingKey {
            case key, sha256, duration, units
            case taskId = "task_id"
            case externalTaskId = "external_task_id"
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

    public var format: Int = 1
    public var elements: [String: Element] = [:]
    public var renders: [String: Render] = [:]
    public var outputs: [String: Output] = [:]

    public init() {}

    public static func read(_ path: String) throws -> Lockfile? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try JSONDecoder().decode(Lockfile.self, from: data)
    }

    public func encoded() throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try e.encode(self)
        data.append(UInt8(ascii: "\n"))
        return data
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
