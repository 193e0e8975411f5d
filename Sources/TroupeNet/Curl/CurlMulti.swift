internal import CCurl

/// Owns one libcurl multi handle. Used only from the event-loop thread, except `wakeup`.
final class CurlMulti: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer

    init() {
        _ = CurlGlobal.initialized
        handle = curl_multi_init()!
    }

    deinit { curl_multi_cleanup(handle) }

    func set(_ option: CURLMoption, _ value: Int) {
        _ = troupe_curl_multi_setopt_long(handle, option, value)
    }

    func add(_ easy: CurlEasy) -> Bool { curl_multi_add_handle(handle, easy.handle) == CURLM_OK }
    func remove(_ easy: CurlEasy) { curl_multi_remove_handle(handle, easy.handle) }

    /// Drives every transfer as far as it can go without blocking.
    func perform() {
        var running: Int32 = 0
        _ = curl_multi_perform(handle, &running)
    }

    /// Sleeps until a socket is ready, `wakeup` is called, or the timeout passes.
    func poll(timeoutMs: Int32) {
        var ready: Int32 = 0
        _ = curl_multi_poll(handle, nil, 0, timeoutMs, &ready)
    }

    /// Thread-safe: interrupts `poll` from any thread.
    func wakeup() { _ = curl_multi_wakeup(handle) }

    /// Finished transfers since the last call: the easy handle's private pointer and result.
    func completions() -> [(UnsafeMutableRawPointer, CURLcode)] {
        var done: [(UnsafeMutableRawPointer, CURLcode)] = []
        var left: Int32 = 0
        while let message = curl_multi_info_read(handle, &left) {
            guard troupe_curl_msg_is_done(message) != 0, let easy = message.pointee.easy_handle else { continue }
            var privateData: UnsafeMutableRawPointer?
            _ = troupe_curl_easy_getinfo_private(easy, &privateData)
            if let privateData { done.append((privateData, troupe_curl_msg_result(message))) }
        }
        return done
    }
}
