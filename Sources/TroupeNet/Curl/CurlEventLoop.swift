internal import CCurl
import Foundation

/// The single thread that drives every transfer of one client through a curl multi handle.
/// Other threads only enqueue adds and cancels under `lock` and wake the poll.
final class CurlEventLoop: @unchecked Sendable {
    private let multi = CurlMulti()
    private let lock = NSLock()
    private var pendingAdds: [CurlTransfer] = []
    private var pendingCancels: [CurlTransfer] = []
    private var stopping = false
    /// Loop thread only: the transfers libcurl is driving, retained until they finish.
    private var active: [ObjectIdentifier: CurlTransfer] = [:]
    /// Handles of completed transfers, for the next ones.
    let easyPool = CurlEasyPool()

    init(configuration: HTTPClient.Configuration) {
        multi.set(CURLMOPT_MAX_HOST_CONNECTIONS, configuration.maxConnectionsPerHost)
        multi.set(CURLMOPT_MAX_TOTAL_CONNECTIONS, configuration.maxTotalConnections)
        let thread = Thread { [self] in run() }
        thread.name = "troupe-curl"
        thread.start()
    }

    func enqueue(_ transfer: CurlTransfer) {
        let accepted = lock.withLock {
            guard !stopping else { return false }
            pendingAdds.append(transfer)
            return true
        }
        guard accepted else { return transfer.finish(.failure(HTTPError.shutdown)) }
        multi.wakeup()
    }

    func cancel(_ transfer: CurlTransfer) {
        lock.withLock {
            transfer.cancelRequested = true
            pendingCancels.append(transfer)
        }
        multi.wakeup()
    }

    /// Asks the thread to fail everything in flight and exit.
    func shutdown() {
        lock.withLock { stopping = true }
        multi.wakeup()
    }

    private func run() {
        while true {
            guard takePending() else { break }
            multi.perform()
            for (pointer, code) in multi.completions() {
                let transfer = CurlTransfer.from(pointer)
                multi.remove(transfer.easy)
                active.removeValue(forKey: ObjectIdentifier(transfer))
                transfer.finish(code: code)
                // Finished: the transfer reads nothing more from its handle.
                easyPool.giveBack(transfer.easy)
            }
            multi.poll(timeoutMs: 1000)
        }
        for transfer in active.values {
            multi.remove(transfer.easy)
            transfer.finish(.failure(HTTPError.shutdown))
        }
        active = [:]
    }

    /// Adds new transfers and removes cancelled ones; false once shutting down. A function of its
    /// own so the batches are released before the loop sleeps in poll.
    private func takePending() -> Bool {
        let (adds, cancels, stop) = lock.withLock {
            defer { pendingAdds = []; pendingCancels = [] }
            let adds = pendingAdds.map { ($0, $0.cancelRequested) }
            return (adds, pendingCancels, stopping)
        }
        for (transfer, cancelled) in adds {
            if cancelled || stop { transfer.finish(.failure(stop ? HTTPError.shutdown : CancellationError())); continue }
            guard multi.add(transfer.easy) else {
                transfer.finish(.failure(HTTPError.transport(code: -1, "curl_multi_add_handle failed")))
                continue
            }
            active[ObjectIdentifier(transfer)] = transfer
        }
        for transfer in cancels {
            guard let running = active.removeValue(forKey: ObjectIdentifier(transfer)) else { continue }
            multi.remove(running.easy)
            running.finish(.failure(CancellationError()))
        }
        return !stop
    }
}
