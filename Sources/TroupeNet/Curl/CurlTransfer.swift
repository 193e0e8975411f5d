internal import CCurl
import Foundation

/// What a finished transfer hands back to the waiting task.
struct CurlOutcome: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: Data
}

/// One request in flight: the easy handle plus everything its callbacks write into.
/// Touched only by the event-loop thread between `add` and completion; the waiting
/// task reads the results after the continuation resumes.
final class CurlTransfer: @unchecked Sendable {
    let easy: CurlEasy
    private let url: String
    /// Redacted when asked: only error messages need it, and most transfers succeed.
    var redactedURL: String { HTTPRequest.redact(url) }
    private var continuation: CheckedContinuation<CurlOutcome, any Error>?
    private var headers = HTTPHeaders()
    private var body = Data()
    private var upload: UnsafeMutablePointer<FILE>?
    /// Bytes of the upload still to send: a part stops at its end, not at the file's.
    private var uploadRemaining: Int64 = 0
    private let sink: DownloadSink?
    /// Set under the event loop's lock; a cancel that arrives before the add wins.
    var cancelRequested = false

    init(request: HTTPRequest, configuration: HTTPClient.Configuration, sink: DownloadSink?, easy: CurlEasy) throws(HTTPError) {
        self.easy = easy
        url = request.url
        self.sink = sink
        try configure(request, configuration)
    }

    deinit { if let upload { fclose(upload) } }

    var opaque: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    static func from(_ pointer: UnsafeMutableRawPointer) -> CurlTransfer {
        Unmanaged<CurlTransfer>.fromOpaque(pointer).takeUnretainedValue()
    }

    func attach(_ continuation: CheckedContinuation<CurlOutcome, any Error>) { self.continuation = continuation }

    /// Resumes the waiting task exactly once.
    func finish(_ result: Result<CurlOutcome, any Error>) {
        continuation?.resume(with: result)
        continuation = nil
    }

    func finish(code: CURLcode) {
        guard code == CURLE_OK else { return finish(.failure(error(for: code))) }
        if let sink, let failure = sink.failure { return finish(.failure(failure)) }
        finish(.success(CurlOutcome(status: easy.responseCode, headers: headers, body: body)))
    }

    private func configure(_ request: HTTPRequest, _ configuration: HTTPClient.Configuration) throws(HTTPError) {
        guard request.url.hasPrefix("http://") || request.url.hasPrefix("https://") else {
            throw .invalidRequest("only http and https URLs are supported: \(redactedURL)")
        }
        try easy.set(CURLOPT_URL, request.url)
        try easy.set(CURLOPT_PROTOCOLS_STR, "http,https")
        try easy.set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        // Signals cannot be used from a multi-threaded process.
        try easy.set(CURLOPT_NOSIGNAL, 1)
        try easy.set(CURLOPT_CONNECTTIMEOUT_MS, configuration.connectTimeout.milliseconds)
        try easy.set(CURLOPT_TIMEOUT_MS, (request.timeout ?? configuration.timeout).milliseconds)
        try easy.set(CURLOPT_FOLLOWLOCATION, request.followRedirects ? 1 : 0)
        try easy.set(CURLOPT_MAXREDIRS, 5)
        try easy.set(CURLOPT_USERAGENT, configuration.userAgent)
        try easy.set(CURLOPT_ACCEPT_ENCODING, "")
        _ = troupe_curl_easy_setopt_private(easy.handle, opaque)

        var lines = request.headers.map { "\($0.name): \($0.value)" }
        // curl would otherwise wait for 100-continue on large bodies.
        lines.append("Expect:")
        let method = request.method.uppercased()
        if method == "POST" {
            // On a reused connection that breaks after the request went out, libcurl silently
            // sends it again on a new one (curl/curl#18417). A create sent twice is a render
            // paid twice: a POST gets a connection of its own, which libcurl never retries.
            try easy.set(CURLOPT_FRESH_CONNECT, 1)
        }
        switch request.body {
        case .none:
            if method == "HEAD" { try easy.set(CURLOPT_NOBODY, 1) }
            else if method != "GET" { try easy.set(CURLOPT_CUSTOMREQUEST, method) }
            if method == "POST" || method == "PUT" { lines.append("Content-Length: 0") }
        case .bytes(let data):
            try easy.set(CURLOPT_POSTFIELDSIZE_LARGE, offset: Int64(data.count))
            let code = data.withUnsafeBytes { raw in
                troupe_curl_easy_setopt_pointer(easy.handle, CURLOPT_COPYPOSTFIELDS,
                                                UnsafeMutableRawPointer(mutating: raw.baseAddress ?? UnsafeRawPointer(easy.errorBuffer)))
            }
            guard code == CURLE_OK else { throw .invalidRequest("could not attach the request body") }
            if method != "POST" { try easy.set(CURLOPT_CUSTOMREQUEST, method) }
            if request.headers["Content-Type"] == nil { lines.append("Content-Type:") }
        case .file(let path):
            try attachUpload(path: path, offset: 0, length: nil, method: method)
        case .filePart(let path, let offset, let length):
            try attachUpload(path: path, offset: offset, length: length, method: method)
        }
        easy.setHeaders(lines)

        _ = troupe_curl_easy_setopt_pointer(easy.handle, CURLOPT_HEADERDATA, opaque)
        _ = troupe_curl_easy_setopt_header(easy.handle) { buffer, size, count, user in
            guard let buffer, let user else { return 0 }
            let length = size * count
            CurlTransfer.from(user).receiveHeader(UnsafeRawBufferPointer(start: buffer, count: length))
            return length
        }
        _ = troupe_curl_easy_setopt_pointer(easy.handle, CURLOPT_WRITEDATA, opaque)
        _ = troupe_curl_easy_setopt_write(easy.handle) { buffer, size, count, user in
            guard let buffer, let user else { return 0 }
            let length = size * count
            return CurlTransfer.from(user).receiveBody(UnsafeRawBufferPointer(start: buffer, count: length))
                ? length : 0
        }
    }

    /// Streams the file (or `length` bytes of it from `offset`) as the request body.
    private func attachUpload(path: String, offset: Int64, length: Int64?, method: String) throws(HTTPError) {
        guard let file = fopen(path, "rb") else { throw .invalidRequest("cannot open \(path) for upload") }
        upload = file
        fseeko(file, 0, SEEK_END)
        let size = Int64(ftello(file))
        guard offset >= 0, offset + (length ?? 0) <= size else { throw .invalidRequest("\(path) is shorter than the part to upload") }
        fseeko(file, off_t(offset), SEEK_SET)
        uploadRemaining = length ?? size - offset
        try easy.set(CURLOPT_UPLOAD, 1)
        try easy.set(CURLOPT_INFILESIZE_LARGE, offset: uploadRemaining)
        _ = troupe_curl_easy_setopt_pointer(easy.handle, CURLOPT_READDATA, opaque)
        _ = troupe_curl_easy_setopt_read(easy.handle) { buffer, size, count, user in
            guard let buffer, let user else { return 0 }
            let transfer = CurlTransfer.from(user)
            guard let file = transfer.upload else { return 0 }
            let wanted = min(size * count, Int(transfer.uploadRemaining))
            let read = fread(buffer, 1, wanted, file)
            transfer.uploadRemaining -= Int64(read)
            return read
        }
        if method != "PUT" { try easy.set(CURLOPT_CUSTOMREQUEST, method) }
    }

    /// One header line, split on bytes: Foundation's trimming cost more than the rest of a
    /// small request.
    private func receiveHeader(_ bytes: UnsafeRawBufferPointer) {
        let line = Self.trimmed(bytes[...])
        if line.starts(with: "HTTP/".utf8) {
            // A new status line starts a new hop (redirect or 100 Continue): keep only the last.
            headers = HTTPHeaders()
        } else if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
            headers.add(String(decoding: Self.trimmed(line[..<colon]), as: UTF8.self),
                        String(decoding: Self.trimmed(line[(colon + 1)...]), as: UTF8.self))
        }
    }

    private static func trimmed(_ bytes: Slice<UnsafeRawBufferPointer>) -> Slice<UnsafeRawBufferPointer> {
        let space: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }
        guard let first = bytes.firstIndex(where: { !space($0) }), let last = bytes.lastIndex(where: { !space($0) }) else {
            return bytes[bytes.startIndex..<bytes.startIndex]
        }
        return bytes[first...last]
    }

    private func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let status = easy.responseCode
        if let sink, (200..<300).contains(status) { return sink.write(bytes) }
        // Error bodies and plain responses stay in memory; cap what a download keeps.
        if sink != nil && body.count > 64 * 1024 { return true }
        body.append(contentsOf: bytes)
        return true
    }

    private func error(for code: CURLcode) -> HTTPError {
        let detail = easy.errorMessage.isEmpty ? String(cString: curl_easy_strerror(code)) : easy.errorMessage
        let message = "\(redactedURL): \(detail)"
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT:
            return .connectFailed(message)
        case CURLE_OPERATION_TIMEDOUT:
            return .timedOut(message)
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM,
             CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE:
            return .tls(message)
        case CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE:
            return .connectionLost(message)
        case CURLE_WRITE_ERROR:
            return sink?.failure ?? .io(message)
        case CURLE_READ_ERROR:
            return .io(message)
        default:
            return .transport(code: Int(code.rawValue), message)
        }
    }
}

extension Duration {
    var milliseconds: Int {
        let parts = components
        return Int(parts.seconds) * 1000 + Int(parts.attoseconds / 1_000_000_000_000_000)
    }
}
