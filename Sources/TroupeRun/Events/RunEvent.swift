public import Foundation
import TroupeManifest
import TroupeSupport

/// One NDJSON line of `--events` (schemas/events.schema.json).
public struct RunEvent: Sendable {
    public enum Kind: String, Sendable {
        case runStarted = "run_started", jobStarted = "job_started", jobDone = "job_done"
        case jobSkipped = "job_skipped", jobFailed = "job_failed", runFinished = "run_finished"
        /// A paid job whose submit may or may not have been queued (fal): not sent again; `units`
        /// is what it may have cost.
        case jobInDoubt = "job_in_doubt"
        /// A job's place in the provider's queue changed (fal): `counts.position` requests are
        /// ahead of it, -1 once it left the queue.
        case queuePosition = "queue_position"
        /// Something the user must know that failed no job (a result not pushed to the shared cache).
        case warning
    }

    public var kind: Kind
    public var at: Date
    public var job: String?
    public var jobKind: String?
    public var units: Double?
    public var message: String?
    public var counts: [String: Int]?

    public init(_ kind: Kind, at: Date, job: String? = nil, jobKind: String? = nil, units: Double? = nil,
                message: String? = nil, counts: [String: Int]? = nil) {
        self.kind = kind
        self.at = at
        self.job = job
        self.jobKind = jobKind
        self.units = units
        self.message = message
        self.counts = counts
    }

    public var json: String {
        var f = ["\"event\":\"\(kind.rawValue)\"", "\"at\":\(JSONString.quote(UTCStamp.iso(at)))"]
        if let job { f.append("\"job\":\(JSONString.quote(job))") }
        if let jobKind { f.append("\"kind\":\(JSONString.quote(jobKind))") }
        if let units { f.append("\"units\":\(units)") }
        if let message { f.append("\"message\":\(JSONString.quote(message))") }
        if let counts {
            f.append("\"counts\":{" + counts.keys.sorted().map { "\(JSONString.quote($0)):\(counts[$0]!)" }.joined(separator: ",") + "}")
        }
        return "{" + f.joined(separator: ",") + "}"
    }
}

/// Where events go: NDJSON to a file or stdout, and human progress lines.
public protocol RunObserver: Sendable {
    func observe(_ event: RunEvent)
    /// Writes out anything held back; the process may exit next.
    func flush()
}

extension RunObserver {
    public func flush() {}
}

/// Appends NDJSON lines to a file handle.
public final class NDJSONObserver: RunObserver, @unchecked Sendable {
    private let out: LineBuffer

    public init(handle: FileHandle) { out = LineBuffer(handle: handle) }

    public func observe(_ event: RunEvent) {
        out.append(event.json, flushNow: event.kind == .runFinished)
    }

    public func flush() { out.flush() }
}

/// Plain progress lines for logs and pipes.
public final class PlainProgress: RunObserver, @unchecked Sendable {
    private let out: LineBuffer
    private let lock = NSLock()
    private var done = 0
    private let total: Int

    public init(handle: FileHandle, total: Int) {
        out = LineBuffer(handle: handle)
        self.total = total
    }

    public func observe(_ event: RunEvent) {
        lock.lock()
        defer { lock.unlock() }
        let line: String?
        switch event.kind {
        case .jobDone:
            done += 1
            line = "[\(done)/\(total)] done   \(event.job ?? "")"
        case .jobFailed:
            done += 1
            line = "[\(done)/\(total)] FAILED \(event.job ?? ""): \(event.message ?? "")"
        case .jobInDoubt:
            done += 1
            line = "[\(done)/\(total)] IN DOUBT \(event.job ?? ""): \(event.message ?? "")"
        case .jobSkipped where event.message != nil:
            done += 1
            line = "[\(done)/\(total)] skip   \(event.job ?? ""): \(event.message!)"
        // A job's own warning; run-wide ones (the shared cache's) the CLI prints at the end.
        case .warning where event.job != nil:
            line = "warning: \(event.job!): \(event.message ?? "")"
        default: line = nil
        }
        if let line { out.append(line) }
        if event.kind == .runFinished { out.flush() }
    }

    public func flush() { out.flush() }
}

/// Lines written in batches, so a 10,000-job run does not pay a system call per event. A
/// batch goes out within `delay` of its first line, when it passes 64 KB, or when asked.
final class LineBuffer: @unchecked Sendable {
    static let delay = 0.1
    private let handle: FileHandle
    private let lock = NSLock()
    private var pending: [UInt8] = []
    private var armed = false
    /// The reader went away (a closed pipe: `--events - | head -1`): output stops, the run goes on.
    private var closed = false

    init(handle: FileHandle) { self.handle = handle }

    func append(_ line: String, flushNow: Bool = false) {
        let arm = lock.withLock {
            pending.append(contentsOf: line.utf8)
            pending.append(UInt8(ascii: "\n"))
            if flushNow || pending.count >= 64 * 1024 { writeOut() }
            defer { if !pending.isEmpty { armed = true } }
            return !armed && !pending.isEmpty
        }
        guard arm else { return }
        DispatchQueue.global().asyncAfter(deadline: .now() + Self.delay) { [weak self] in
            guard let self else { return }
            self.lock.withLock {
                self.armed = false
                self.writeOut()
            }
        }
    }

    func flush() { lock.withLock { writeOut() } }

    /// Under the lock, so batches leave in order.
    private func writeOut() {
        guard !pending.isEmpty else { return }
        if !closed {
            do { try handle.write(contentsOf: Data(pending)) } catch { closed = true }
        }
        pending.removeAll(keepingCapacity: true)
    }
}

/// Fans events out to several observers.
public struct Observers: RunObserver {
    public var all: [any RunObserver]
    public init(_ all: [any RunObserver]) { self.all = all }
    public func observe(_ event: RunEvent) { for o in all { o.observe(event) } }
    public func flush() { for o in all { o.flush() } }
}
