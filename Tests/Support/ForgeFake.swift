import Foundation
internal import HTTPTypes
internal import Hummingbird

/// GitHub's issue-comment and GitLab's merge-request-note endpoints, in memory, on a real
/// socket: list (in pages of `pageSize`, GitHub's `Link: rel="next"` and GitLab's
/// `x-next-page`), create and edit, with the token checked on every call.
public final class ForgeFake: Sendable {
    public struct Call: Sendable {
        public var method: String
        public var path: String
    }

    private let server: LocalHTTPServer
    private let state: State
    public var baseURL: String { server.baseURL }

    private init(server: LocalHTTPServer, state: State) {
        self.server = server
        self.state = state
    }

    /// `token` is the only one accepted (as `Authorization: Bearer` on GitHub's paths,
    /// `PRIVATE-TOKEN` on GitLab's).
    public static func start(token: String, pageSize: Int = 2) async throws -> ForgeFake {
        let state = State(pageSize: pageSize)
        return ForgeFake(server: try await LocalHTTPServer.start(routes(state, token: token)), state: state)
    }

    public func stop() async { await server.stop() }

    /// The bodies of a thread's comments: `github:OWNER/NAME#N` or `gitlab:PROJECT!IID`.
    public func comments(_ thread: String) async -> [String] { await state.threads[thread, default: []].map(\.body) }
    /// Every call that got past the token check, in order.
    public func calls() async -> [Call] { await state.calls }
    /// Comments by others, there before troupe's.
    public func seed(_ thread: String, _ bodies: [String]) async { for b in bodies { await state.add(b, to: thread) } }

    actor State {
        let pageSize: Int
        var threads: [String: [(id: Int, body: String)]] = [:]
        var calls: [Call] = []
        var nextID = 1000

        init(pageSize: Int) { self.pageSize = pageSize }

        func record(_ method: String, _ path: String) { calls.append(Call(method: method, path: path)) }

        @discardableResult
        func add(_ body: String, to thread: String) -> Int {
            nextID += 1
            threads[thread, default: []].append((nextID, body))
            return nextID
        }

        func edit(_ id: Int, _ body: String) -> Bool {
            for (key, list) in threads {
                if let i = list.firstIndex(where: { $0.id == id }) { threads[key]![i].body = body; return true }
            }
            return false
        }

        /// Page `page` (from 1) and whether another follows.
        func page(_ thread: String, _ page: Int) -> (json: String, more: Bool) {
            let all = threads[thread, default: []]
            let start = min(all.count, max(0, (page - 1) * pageSize))
            let slice = all[start..<min(all.count, start + pageSize)]
            let items = slice.map { Self.json(id: $0.id, body: $0.body) }
            return ("[" + items.joined(separator: ",") + "]", start + pageSize < all.count)
        }

        static func json(id: Int, body: String) -> String {
            let data = try! JSONSerialization.data(withJSONObject: ["id": id, "body": body, "user": ["login": "troupe-bot"]])
            return String(decoding: data, as: UTF8.self)
        }
    }

    static func routes(_ state: State, token: String) -> Router<BasicRequestContext> {
        let router = Router()
        let gitlabToken = HTTPField.Name("PRIVATE-TOKEN")!
        @Sendable func github(_ request: Request) -> Bool { request.headers[.authorization] == "Bearer " + token }
        @Sendable func gitlab(_ request: Request) -> Bool { request.headers[gitlabToken] == token }
        @Sendable func denied() -> Response { Response.text(401, "{\"message\":\"Bad credentials\"}") }
        @Sendable func body(_ request: inout Request) async throws -> String? {
            let object = try JSONSerialization.jsonObject(with: Data(try await request.text().utf8)) as? [String: Any]
            return object?["body"] as? String
        }

        router.get("/repos/:owner/:repo/issues/:number/comments") { request, context in
            guard github(request) else { return denied() }
            let thread = "github:\(try context.parameters.require("owner"))/\(try context.parameters.require("repo"))#\(try context.parameters.require("number"))"
            await state.record("GET", request.uri.path)
            let page = Int(request.uri.queryParameters.get("page") ?? "1") ?? 1
            let (json, more) = await state.page(thread, page)
            let next = "http://\(request.head.authority ?? "127.0.0.1")\(request.uri.path)?per_page=100&page=\(page + 1)"
            return Response.text(200, json, headers: more ? ["Link": "<\(next)>; rel=\"next\", <\(next)>; rel=\"last\""] : [:])
        }
        router.post("/repos/:owner/:repo/issues/:number/comments") { request, context in
            guard github(request) else { return denied() }
            var request = request
            let thread = "github:\(try context.parameters.require("owner"))/\(try context.parameters.require("repo"))#\(try context.parameters.require("number"))"
            await state.record("POST", request.uri.path)
            guard let text = try await body(&request) else { return Response.text(422, "{\"message\":\"body is missing\"}") }
            let id = await state.add(text, to: thread)
            return Response.text(201, State.json(id: id, body: text))
        }
        router.patch("/repos/:owner/:repo/issues/comments/:id") { request, context in
            guard github(request) else { return denied() }
            var request = request
            await state.record("PATCH", request.uri.path)
            guard let id = Int(try context.parameters.require("id")), let text = try await body(&request),
                  await state.edit(id, text) else { return Response.text(404, "{\"message\":\"Not Found\"}") }
            return Response.text(200, State.json(id: id, body: text))
        }

        router.get("/projects/:project/merge_requests/:iid/notes") { request, context in
            guard gitlab(request) else { return denied() }
            let thread = "gitlab:\(try context.parameters.require("project"))!\(try context.parameters.require("iid"))"
            await state.record("GET", request.uri.path)
            let page = Int(request.uri.queryParameters.get("page") ?? "1") ?? 1
            let (json, more) = await state.page(thread, page)
            return Response.text(200, json, headers: ["x-next-page": more ? "\(page + 1)" : "", "x-page": "\(page)"])
        }
        router.post("/projects/:project/merge_requests/:iid/notes") { request, context in
            guard gitlab(request) else { return denied() }
            var request = request
            let thread = "gitlab:\(try context.parameters.require("project"))!\(try context.parameters.require("iid"))"
            await state.record("POST", request.uri.path)
            guard let text = try await body(&request) else { return Response.text(400, "{\"message\":\"body is missing\"}") }
            let id = await state.add(text, to: thread)
            return Response.text(201, State.json(id: id, body: text))
        }
        router.put("/projects/:project/merge_requests/:iid/notes/:id") { request, context in
            guard gitlab(request) else { return denied() }
            var request = request
            await state.record("PUT", request.uri.path)
            guard let id = Int(try context.parameters.require("id")), let text = try await body(&request),
                  await state.edit(id, text) else { return Response.text(404, "{\"message\":\"404 Not found\"}") }
            return Response.text(200, State.json(id: id, body: text))
        }
        return router
    }
}
