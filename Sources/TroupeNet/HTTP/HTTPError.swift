/// Why a request produced no usable response. Messages name the host and path only:
/// query strings and headers can carry credentials.
public enum HTTPError: Error, Sendable, Equatable {
    /// The request could not be built (bad URL, unreadable upload file).
    case invalidRequest(String)
    /// No connection: DNS failure, refused, unreachable. Safe to retry; nothing was sent.
    case connectFailed(String)
    /// The connect or total timeout passed. The server may have acted on the request.
    case timedOut(String)
    /// Certificate or TLS handshake failure. Check the clock, proxy and CA bundle.
    case tls(String)
    /// The connection broke after the request was sent. The server may have acted on it.
    case connectionLost(String)
    /// Any other libcurl failure, with its code.
    case transport(code: Int, String)
    /// A download got a non-2xx answer; the body (truncated) says why.
    case badStatus(Int, body: String)
    /// Writing the downloaded file failed.
    case io(String)
    /// The client was shut down while the request was in flight.
    case shutdown
}

extension HTTPError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .invalidRequest(let m): "invalid request: \(m)"
        case .connectFailed(let m): "could not connect: \(m) (check the network, proxy settings and the base URL)"
        case .timedOut(let m): "timed out: \(m)"
        case .tls(let m): "TLS failure: \(m) (check the system clock, CA certificates and proxy)"
        case .connectionLost(let m): "connection lost: \(m)"
        case .transport(let code, let m): "network error \(code): \(m)"
        case .badStatus(let status, let body): "HTTP \(status)\(body.isEmpty ? "" : ": \(body)")"
        case .io(let m): "file error: \(m)"
        case .shutdown: "the HTTP client was shut down"
        }
    }

    /// Whether the request certainly never reached the server (so a retry cannot duplicate it).
    public var neverSent: Bool {
        switch self {
        case .invalidRequest, .connectFailed, .tls: true
        default: false
        }
    }
}
