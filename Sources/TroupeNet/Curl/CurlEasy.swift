internal import CCurl
import Foundation

/// Owns one libcurl easy handle, its header list and error buffer.
final class CurlEasy {
    let handle: UnsafeMutableRawPointer
    private var headerList: UnsafeMutablePointer<curl_slist>?
    let errorBuffer: UnsafeMutablePointer<CChar>

    init() throws(HTTPError) {
        _ = CurlGlobal.initialized
        guard let handle = curl_easy_init() else { throw .transport(code: -1, "curl_easy_init failed") }
        self.handle = handle
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        _ = troupe_curl_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
    }

    /// Back to libcurl's defaults for the next transfer (connections live in the multi handle,
    /// not here).
    func reset() {
        curl_easy_reset(handle)
        curl_slist_free_all(headerList)
        headerList = nil
        errorBuffer[0] = 0
        _ = troupe_curl_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
    }

    deinit {
        curl_easy_cleanup(handle)
        curl_slist_free_all(headerList)
        errorBuffer.deallocate()
    }

    func set(_ option: CURLoption, _ value: Int) throws(HTTPError) {
        try check(troupe_curl_easy_setopt_long(handle, option, value), option)
    }

    func set(_ option: CURLoption, offset value: Int64) throws(HTTPError) {
        try check(troupe_curl_easy_setopt_off(handle, option, curl_off_t(value)), option)
    }

    /// libcurl copies string options, so the Swift string may die afterwards.
    func set(_ option: CURLoption, _ value: String) throws(HTTPError) {
        try check(troupe_curl_easy_setopt_string(handle, option, value), option)
    }

    func setHeaders(_ lines: [String]) {
        curl_slist_free_all(headerList)
        headerList = nil
        for line in lines { headerList = curl_slist_append(headerList, line) }
        _ = troupe_curl_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList)
    }

    var responseCode: Int {
        var code = 0
        _ = troupe_curl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code)
        return code
    }

    var errorMessage: String { String(cString: errorBuffer) }

    private func check(_ code: CURLcode, _ option: CURLoption) throws(HTTPError) {
        guard code == CURLE_OK else {
            throw .invalidRequest("libcurl refused option \(option.rawValue): \(String(cString: curl_easy_strerror(code)))")
        }
    }
}

/// Easy handles of finished transfers, reset for the next: making and freeing one per request
/// (buffers of tens of kilobytes each) cost more than the reset.
final class CurlEasyPool: @unchecked Sendable {
    private let lock = NSLock()
    private var idle: [CurlEasy] = []
    private let limit = 64

    func take() throws(HTTPError) -> CurlEasy {
        if let easy = lock.withLock({ idle.popLast() }) { return easy }
        return try CurlEasy()
    }

    /// Only for a handle no transfer will touch again.
    func giveBack(_ easy: CurlEasy) {
        easy.reset()
        lock.withLock { if idle.count < limit { idle.append(easy) } }
    }
}

/// curl_global_init is not thread-safe; a Swift global's lazy initialiser runs exactly once.
enum CurlGlobal {
    static let initialized: Bool = troupe_curl_global_init() == CURLE_OK
}
