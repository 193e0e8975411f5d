import Dispatch

/// `body(0..<count)` on every core, results in order. Below `inlineBelow` items it runs on the
/// calling thread (threads would cost more than they save); above, in chunks of at least half
/// that many, so the overhead per item stays low.
public func parallelMap<T: Sendable>(_ count: Int, inlineBelow: Int, _ body: @Sendable (Int) -> T) -> [T] {
    guard count >= inlineBelow, count > 1 else { return (0..<count).map(body) }
    let chunks = min(64, max(2, count / max(1, inlineBelow / 2)))
    let out = UnsafeMutableBufferPointer<T>.allocate(capacity: count)
    nonisolated(unsafe) let buffer = out
    DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
        let lo = count * chunk / chunks, hi = count * (chunk + 1) / chunks
        for i in lo..<hi { buffer.initializeElement(at: i, to: body(i)) }
    }
    let result = Array(out)
    out.deinitialize()
    out.deallocate()
    return result
}
