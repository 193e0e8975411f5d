public import Foundation
import TroupeSupport

/// What the live display shows, as a value: events in, lines out. No terminal, no clock of
/// its own, so it is tested like any other value.
public struct LiveStatus: Sendable {
    public var total = 0
    public var alreadyDone = 0
    public var done = 0
    public var failed = 0
    public var unitsSpent = 0.0
    public let unitsPlanned: Double
    public let unit: String
    public private(set) var started: Date?
    /// In-flight jobs and when each started, in start order.
    public private(set) var inFlight: [(job: String, since: Date)] = []
    /// How many requests are ahead of a job in the provider's queue (fal), while it waits there.
    public private(set) var queuePositions: [String: Int] = [:]

    public init(unitsPlanned: Double, unit: String) {
        self.unitsPlanned = unitsPlanned
        self.unit = unit
    }

    public var queued: Int { max(0, total - alreadyDone - done - failed - inFlight.count) }

    public mutating func apply(_ event: RunEvent) {
        switch event.kind {
        case .runStarted:
            started = event.at
            total = event.counts?["jobs"] ?? 0
            alreadyDone = event.counts?["already_done"] ?? 0
        case .jobStarted:
            if let job = event.job { inFlight.append((job, event.at)) }
        case .jobDone, .jobFailed, .jobSkipped, .jobInDoubt:
            if event.kind == .jobFailed || event.kind == .jobInDoubt { failed += 1 } else { done += 1 }
            if event.kind != .jobInDoubt { unitsSpent += event.units ?? 0 }
            if let job = event.job, let i = inFlight.firstIndex(where: { $0.job == job }) { inFlight.remove(at: i) }
            if let job = event.job { queuePositions[job] = nil }
        case .runFinished:
            inFlight = []
        case .queuePosition:
            if let job = event.job { queuePositions[job] = event.counts?["position"].flatMap { $0 >= 0 ? $0 : nil } }
        case .warning:
            break
        }
    }

    /// Seconds left at the pace so far (by jobs finished), nil before the first one.
    public func eta(now: Date) -> Double? {
        guard let started, done + failed > 0 else { return nil }
        let elapsed = now.timeIntervalSince(started)
        let remaining = total - alreadyDone - done - failed
        return elapsed / Double(done + failed) * Double(remaining)
    }

    /// The block the display draws: a summary line, then one line per in-flight job (at most
    /// `maxJobs`), each cut to `width` columns.
    public func lines(now: Date, width: Int = 100, maxJobs: Int = 8) -> [String] {
        var head = "troupe run · \(done + alreadyDone)/\(total) done · \(inFlight.count) in flight · \(queued) queued · \(failed) failed"
        head += " · \(NumberText.fixed(unitsSpent, decimals: 1)) of \(NumberText.fixed(unitsPlanned, decimals: 1)) \(unit)"
        if let eta = eta(now: now) { head += " · ETA \(Self.duration(eta))" }
        var out = [head]
        for (job, since) in inFlight.prefix(maxJobs) {
            let place = queuePositions[job].map { "  · \($0) ahead in fal's queue" } ?? ""
            out.append("  \(job)  \(Self.duration(now.timeIntervalSince(since)))" + place)
        }
        if inFlight.count > maxJobs { out.append("  … and \(inFlight.count - maxJobs) more") }
        return out.map { $0.count > width ? String($0.prefix(max(1, width - 1))) + "…" : $0 }
    }

    static func duration(_ s: Double) -> String {
        let t = max(0, Int(s.rounded()))
        if t < 60 { return "\(t)s" }
        if t < 3600 { return "\(t / 60)m\(String(format: "%02d", t % 60))s" }
        return "\(t / 3600)h\(String(format: "%02d", t / 60 % 60))m"
    }
}

/// The live multi-line display on a terminal: redrawn in place at most ten times a second,
/// and once a second while nothing happens (elapsed times and ETA move on).
public final class LiveDisplay: RunObserver, @unchecked Sendable {
    private let handle: FileHandle
    private let lock = NSLock()
    private var status: LiveStatus
    private var drawnLines = 0
    private var lastDraw = Date.distantPast
    private var timer: (any DispatchSourceTimer)?
    private let width: Int
    private let now: @Sendable () -> Date

    public convenience init(handle: FileHandle, unitsPlanned: Double, unit: String) {
        var size = winsize()
        let width = ioctl(handle.fileDescriptor, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 20 ? Int(size.ws_col) : 100
        self.init(handle: handle, unitsPlanned: unitsPlanned, unit: unit, width: width, now: { Date() }, ticks: true)
    }

    /// `ticks`: redraw every second on its own (a terminal); off for a display driven by a
    /// test's clock alone.
    init(handle: FileHandle, unitsPlanned: Double, unit: String, width: Int, now: @escaping @Sendable () -> Date, ticks: Bool) {
        self.handle = handle
        status = LiveStatus(unitsPlanned: unitsPlanned, unit: unit)
        self.width = width
        self.now = now
        guard ticks else { return }
        let t = DispatchSource.makeTimerSource(queue: .global())
        t.schedule(deadline: .now() + 1, repeating: 1)
        t.setEventHandler { [weak self] in self?.redraw(force: true) }
        t.resume()
        timer = t
    }

    deinit { timer?.cancel() }

    /// Whether `handle` is a terminal (the display) or a pipe/file (plain lines).
    public static func isTerminal(_ handle: FileHandle) -> Bool { isatty(handle.fileDescriptor) == 1 }

    public func observe(_ event: RunEvent) {
        lock.withLock { status.apply(event) }
        if event.kind == .jobFailed || event.kind == .warning || event.kind == .jobInDoubt, let job = event.job {
            // Failures and a job's warnings stay on screen above the live block.
            let head = event.kind == .jobFailed ? "FAILED" : event.kind == .jobInDoubt ? "IN DOUBT" : "warning:"
            lock.withLock {
                clear()
                try? handle.write(contentsOf: Data("\(head) \(job): \(event.message ?? "")\n".utf8))
                drawnLines = 0
            }
        }
        if event.kind == .runFinished {
            timer?.cancel()
            lock.withLock { clear() }
            return
        }
        redraw(force: false)
    }

    private func redraw(force: Bool) {
        lock.withLock {
            let at = self.now()
            guard force || at.timeIntervalSince(lastDraw) >= 0.1 else { return }
            lastDraw = at
            let lines = status.lines(now: at, width: width)
            clear()
            try? handle.write(contentsOf: Data(lines.map { $0 + "\n" }.joined().utf8))
            drawnLines = lines.count
        }
    }

    /// Moves up over the last block and erases it (called with the lock held).
    private func clear() {
        guard drawnLines > 0 else { return }
        try? handle.write(contentsOf: Data("\u{1B}[\(drawnLines)F\u{1B}[J".utf8))
        drawnLines = 0
    }
}
