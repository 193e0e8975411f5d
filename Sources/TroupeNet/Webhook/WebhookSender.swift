public import Foundation

/// POSTs one JSON document to a webhook (Slack's incoming webhooks, a chat bridge, a CI hook),
/// retrying with backoff until it is taken or `deadline` has passed. Never throws: a notice
/// that cannot be delivered is the caller's warning, not a failure.
public struct WebhookSender: Sendable {
    public enum Delivery: Sendable, Equatable {
        case delivered(attempts: Int)
        /// Why the last attempt failed, in words that never include the URL's path or query
        /// (a Slack webhook's path is its secret).
        case failed(reason: String, attempts: Int)
    }

    let http: HTTPClient
    /// How long to keep trying in all; tests shorten it.
    public var deadline: Duration
    /// The first pause between attempts; each next one doubles, up to 15 s.
    public var firstDelay: Duration

    public init(http: HTTPClient, deadline: Duration = .seconds(60), firstDelay: Duration = .milliseconds(500)) {
        self.http = http
        self.deadline = deadline
        self.firstDelay = firstDelay
    }

    public func post(_ json: Data, to url: String) async -> Delivery {
        let clock = ContinuousClock()
        let end = clock.now.advanced(by: deadline)
        var delay = firstDelay
        var attempts = 0
        while true {
            attempts += 1
            let request = HTTPRequest(method: "POST", url: url, headers: ["Content-Type": "application/json"],
                                      body: .bytes(json), timeout: .seconds(15))
            var reason: String
            var wait = delay
            do {
                let response = try await http.send(request)
                if response.isSuccess { return .delivered(attempts: attempts) }
                reason = "HTTP \(response.status)"
                // A 4xx other than 408/429 will not change by asking again (a revoked webhook, a bad URL).
                if (400..<500).contains(response.status) && response.status != 408 && response.status != 429 {
                    return .failed(reason: reason, attempts: attempts)
                }
                if let after = response.retryAfter { wait = min(after, .seconds(30)) }
            } catch let error as HTTPError {
                reason = Self.words(error)
                if case .invalidRequest = error { return .failed(reason: reason, attempts: attempts) }
            } catch {
                return .failed(reason: "cancelled", attempts: attempts)
            }
            guard clock.now.advanced(by: wait) < end else {
                return .failed(reason: "\(reason), still after \(attempts) attempt\(attempts == 1 ? "" : "s")", attempts: attempts)
            }
            try? await Task.sleep(for: wait)
            delay = min(delay * 2, .seconds(15))
        }
    }

    /// What went wrong, without the message libcurl gave (it names the URL).
    static func words(_ error: HTTPError) -> String {
        switch error {
        case .connectFailed: "could not connect"
        case .timedOut: "timed out"
        case .tls: "TLS failure (check the system clock and CA certificates)"
        case .connectionLost: "connection lost"
        case .invalidRequest: "invalid URL"
        default: "network error"
        }
    }

    /// `https://hooks.slack.com`: scheme and host (and port) only, for messages — the rest of
    /// a webhook URL may be its secret.
    public static func origin(of url: String) -> String {
        guard let scheme = url.range(of: "://") else { return "(not a URL)" }
        let rest = url[scheme.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let host = authority.split(separator: "@").last.map(String.init) ?? ""
        return String(url[..<scheme.upperBound]) + host
    }
}
