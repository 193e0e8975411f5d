import Foundation
import TroupeNet
import TroupeSupport

/// What a route answers: status, JSON (or raw) body, extra headers, or a dropped connection.
struct SimReply: Sendable {
    var status: Int
    var body: Data
    var contentType = "application/json"
    var headers: [String: String] = [:]
    var drop = false

    static func json(_ status: Int, _ object: [String: Any], headers: [String: String] = [:]) -> SimReply {
        SimReply(status: status, body: SimJSON.encode(object), headers: headers)
    }
}

/// One HTTP client for every simulator's callbacks.
enum SimCallbacks {
    static let client = HTTPClient(configuration: .init(connectTimeout: .seconds(2), timeout: .seconds(10)))
}

/// Absolute URLs depend on the Host the client used; the routes substitute this marker.
enum SimBaseURL {
    static let marker = "http://__SIM_BASE__"
    static let markerBytes = Data(marker.utf8)
}
