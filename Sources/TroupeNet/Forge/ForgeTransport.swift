import Foundation

/// What the forge clients share: JSON requests with the token in a header, answers checked,
/// and 401/403/404 turned into errors that say which variable to fix.
struct ForgeTransport: Sendable {
    let http: HTTPClient
    /// The header that carries the token, as the forge wants it.
    let authorization: (name: String, value: String)
    let headers: HTTPHeaders
    /// The variable the token came from, named in errors.
    let tokenVariable: String
    let secret: String
    /// What to do on a 401, a 403, and a 404 (the thread's name first).
    let onRejected: String
    let onForbidden: String
    let thread: String
    let onNotFound: String

    func send(_ method: String, _ url: String, body: [String: String]? = nil) async throws(ForgeError) -> HTTPResponse {
        var headers = self.headers
        headers[authorization.name] = authorization.value
        var payload = HTTPRequest.Body.none
        if let body {
            guard let data = try? JSONSerialization.data(withJSONObject: body) else { throw .unexpected("cannot encode the comment") }
            headers["Content-Type"] = "application/json"
            payload = .bytes(data)
        }
        let request = HTTPRequest(method: method, url: url, headers: headers, body: payload, timeout: .seconds(30))
        let response: HTTPResponse
        do {
            response = try await http.send(request)
        } catch let error as HTTPError {
            throw .transport("\(request): \(scrubbed("\(error)"))")
        } catch {
            throw .transport("\(request): \(error)")
        }
        switch response.status {
        case 200..<300: return response
        case 401: throw .tokenRejected(variable: tokenVariable, fix: onRejected)
        case 403: throw .forbidden(variable: tokenVariable, fix: onForbidden)
        case 404: throw .notFound(what: thread, fix: onNotFound)
        default:
            let message = Self.message(response.body)
            throw .status(response.status, request: "\(request)", message: scrubbed(message))
        }
    }

    /// The token never reaches a message, even if a server echoed it.
    func scrubbed(_ text: String) -> String {
        secret.isEmpty ? text : text.replacingOccurrences(of: secret, with: "***")
    }

    /// `message` of a JSON error answer, else the start of the body.
    static func message(_ body: Data) -> String {
        if let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any], let m = object["message"] {
            return "\(m)"
        }
        return String(decoding: body.prefix(200), as: UTF8.self)
    }

    /// A JSON array of comments: `id` (a number) and `body` of each.
    static func comments(_ body: Data) throws(ForgeError) -> [PostedComment] {
        guard let list = (try? JSONSerialization.jsonObject(with: body)) as? [[String: Any]] else {
            throw .unexpected("a comment list that is not a JSON array of objects")
        }
        return list.compactMap { item in
            guard let id = item["id"] as? NSNumber, let body = item["body"] as? String else { return nil }
            return PostedComment(id: id.stringValue, body: body)
        }
    }

    /// `url` must be https, or http to this machine (a test's fake, a local proxy): a token is
    /// never sent in the clear over a network.
    static func checkedBaseURL(_ url: String, variable: String) throws(ForgeError) -> String {
        let trimmed = url.hasSuffix("/") ? String(url.dropLast()) : url
        if trimmed.hasPrefix("https://") { return trimmed }
        if trimmed.hasPrefix("http://") {
            let host = trimmed.dropFirst(7).prefix { $0 != "/" && $0 != ":" }
            if host == "localhost" || host.hasPrefix("127.") || trimmed.dropFirst(7).hasPrefix("[::1]") { return trimmed }
        }
        throw .environment(variable: variable, problem: "is '\(HTTPRequest.redact(trimmed))', not an https URL",
                           fix: "use the API's https address (plain http only to 127.0.0.1)")
    }
}

/// `Link: <https://…?page=2>; rel="next", <…>; rel="last"` (GitHub's pagination).
enum LinkHeader {
    static func next(_ value: String?) -> String? {
        guard let value else { return nil }
        for part in value.split(separator: ",") {
            let fields = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let target = fields.first, target.hasPrefix("<"), target.hasSuffix(">"),
                  fields.dropFirst().contains(where: { $0 == "rel=\"next\"" || $0 == "rel=next" }) else { continue }
            return String(target.dropFirst().dropLast())
        }
        return nil
    }
}
