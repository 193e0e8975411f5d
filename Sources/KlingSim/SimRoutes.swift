import Crypto
import Foundation
internal import Hummingbird
internal import NIOCore
internal import HTTPTypes
import TroupeSupport

/// Binds Kling's paths, the fal queue paths and the `/_sim` control paths to `SimState`.
enum SimRoutes {
    static func router(state: SimState) -> Router<SimContext> {
        let router = Router(context: SimContext.self)

        // Kling API
        router.post("/v1/videos/motion-control") { request, context in
            try await kling(request, context, state) { state, account, body in state.createVideo(account: account, body: body) }
        }
        router.get("/v1/videos/motion-control") { request, context in
            let query = request.uri.queryParameters
            let (page, size) = (query.get("pageNum"), query.get("pageSize"))
            return try await kling(request, context, state) { state, account, _ in
                state.listVideos(account: account, pageNum: page, pageSize: size)
            }
        }
        router.get("/v1/videos/motion-control/:id") { request, context in
            let id = try context.parameters.require("id")
            return try await kling(request, context, state) { state, account, _ in state.queryVideo(account: account, id: id) }
        }
        router.post("/v1/general/advanced-custom-elements") { request, context in
            try await kling(request, context, state) { state, account, body in state.createElement(account: account, body: body) }
        }
        router.get("/v1/general/advanced-custom-elements/:id") { request, context in
            let id = try context.parameters.require("id")
            return try await kling(request, context, state) { state, account, _ in
                state.queryVideo(account: account, id: id, kind: .element)
            }
        }

        router.get("/account/costs") { request, context in
            try await kling(request, context, state) { state, _, _ in state.accountCosts() }
        }

        // fal queue (SimState+Fal.swift) and fal's platform listing (SimState+FalListing.swift)
        router.post("/fal-ai/kling-video/v3/:tier/motion-control") { request, context in
            let tier = try context.parameters.require("tier")
            let body = try await collect(request)
            // x-fal-no-retry takes 1, true or yes; X-Fal-Store-IO: 0 turns payload storage off.
            let noRetry = ["1", "true", "yes"].contains(header(request, "x-fal-no-retry")?.lowercased() ?? "")
            let storeIO = header(request, "x-fal-store-io") != "0"
            let (reply, delay) = await state.falSubmit(authorization: request.headers[.authorization], tier: tier, body: body,
                                                       noRetry: noRetry, storeIO: storeIO)
            // Held back after queueing: a client that gives up sooner loses a submit that took effect.
            if delay > 0 { try await Task.sleep(for: .seconds(delay)) }
            return respond(reply, request, context)
        }
        router.get("/fal-ai/kling-video/requests/:id/status") { request, context in
            let id = try context.parameters.require("id")
            return respond(await state.falStatus(authorization: request.headers[.authorization], id: id), request, context)
        }
        router.get("/fal-ai/kling-video/requests/:id") { request, context in
            let id = try context.parameters.require("id")
            return respond(await state.falResult(authorization: request.headers[.authorization], id: id), request, context)
        }
        router.put("/fal-ai/kling-video/requests/:id/cancel") { request, context in
            let id = try context.parameters.require("id")
            return respond(await state.falCancel(authorization: request.headers[.authorization], id: id), request, context)
        }
        router.get("/fal-media/files/:id/:file") { request, context in
            let id = try context.parameters.require("id")
            return respond(await state.falMedia(id: id), request, context)
        }
        router.get("/v1/models/requests/by-endpoint") { request, context in
            let parameters = request.uri.queryParameters
            var query: [String: [String]] = [:]
            for name in ["endpoint_id", "start", "end", "limit", "cursor", "status", "request_id", "expand", "sort_by"] {
                query[name] = parameters.getAll(name)
            }
            return respond(await state.falListRequests(authorization: request.headers[.authorization], query: query),
                           request, context)
        }

        // Simulator control and results
        router.get("/_sim/results/:file") { request, context in
            let id = try context.parameters.require("file").replacingOccurrences(of: ".mp4", with: "")
            return respond(await state.result(id: id, expires: request.uri.queryParameters.get("expires")), request, context)
        }
        router.get("/_sim/stats") { request, context in
            respond(.json(200, await state.snapshot().json), request, context)
        }
        router.post("/_sim/callbacks") { request, context in
            let body = try await collect(request)
            return respond(await state.recordCallback(body), request, context)
        }
        router.get("/_sim/callbacks") { request, context in
            respond(await state.callbacksReceived(), request, context)
        }
        router.post("/_sim/reset") { request, context in
            await state.reset()
            return respond(.json(200, ["ok": true]), request, context)
        }
        let media = SimMedia()
        router.put("/_sim/media/:name") { request, context in
            let name = try context.parameters.require("name")
            await media.put(name, try await collect(request))
            return respond(.json(201, ["name": name]), request, context)
        }
        router.get("/_sim/media/:name") { request, context in
            guard let data = await media.get(try context.parameters.require("name")) else {
                return respond(.json(404, ["error": "no such media"]), request, context)
            }
            return Response(status: .ok, headers: [.contentType: "application/octet-stream"],
                            body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        addTestRoutes(router)
        return router
    }

    /// Plain HTTP behaviours for testing the client: echo, sized bodies, delays, drops, statuses.
    private static func addTestRoutes(_ router: Router<SimContext>) {
        for method in [HTTPRequest.Method.get, .post, .put, .delete, .patch] {
            router.on("/_sim/echo", method: method) { request, context in
                let body = try await collect(request)
                var headers: [String: String] = [:]
                for field in request.headers { headers[field.name.canonicalName] = field.value }
                let digest = Hex.lowercase(SHA256.hash(data: body))
                return respond(.json(200, ["method": request.method.rawValue, "path": request.uri.path,
                                           "query": request.uri.query ?? "", "headers": headers,
                                           // Large bodies are summarised by size and digest only.
                                           "body": body.count <= 65_536 ? String(decoding: body, as: UTF8.self) : "",
                                           "body_sha256": digest,
                                           "body_bytes": body.count]), request, context)
            }
        }
        router.get("/_sim/bytes/:count") { request, context in
            let count = min(Int(try context.parameters.require("count")) ?? 0, 512 << 20)
            // Byte i is i % 251; written a pattern at a time so large bodies stay cheap.
            let pattern = (0..<(251 * 256)).map { UInt8($0 % 251) }
            var buffer = ByteBuffer()
            buffer.reserveCapacity(count)
            while buffer.readableBytes < count {
                buffer.writeBytes(pattern.prefix(count - buffer.readableBytes))
            }
            return Response(status: .ok, headers: [.contentType: "application/octet-stream"], body: .init(byteBuffer: buffer))
        }
        router.get("/_sim/delay/:ms") { request, context in
            let ms = Int(try context.parameters.require("ms")) ?? 0
            try await Task.sleep(for: .milliseconds(ms))
            return respond(.json(200, ["slept_ms": ms]), request, context)
        }
        router.get("/_sim/drop") { request, context in
            respond(SimReply(status: 200, body: Data(), drop: true), request, context)
        }
        router.get("/_sim/status/:code") { request, context in
            let code = Int(try context.parameters.require("code")) ?? 500
            return respond(.json(code, ["status": code]), request, context)
        }
        router.get("/_sim/redirect") { request, context in
            let target = request.uri.queryParameters.get("to") ?? "/_sim/echo"
            return Response(status: .found, headers: [.location: target])
        }
    }

    /// Admission (auth, rate limit, faults), then the handler, for every /v1 route.
    private static func kling(_ request: Request, _ context: SimContext, _ state: SimState,
                              _ handler: @escaping @Sendable (isolated SimState, String, Data) -> SimReply) async throws -> Response {
        let body = try await collect(request)
        let authorization = request.headers[.authorization]
        // Admission and handler in one actor hop.
        let reply = await state.perform { state -> SimReply in
            switch state.admit(authorization: authorization) {
            case .failure(let rejection): state.reply(rejection)
            case .success(let account): handler(state, account, body)
            }
        }
        return respond(reply, request, context)
    }

    private static func header(_ request: Request, _ name: String) -> String? {
        HTTPField.Name(name).flatMap { request.headers[$0] }
    }

    private static func collect(_ request: Request) async throws -> Data {
        var request = request
        let buffer = try await request.collectBody(upTo: 16 << 20)
        return Data(buffer.readableBytesView)
    }

    /// Every occurrence of `marker` in `data` replaced, on bytes: a list page holds 500 tasks,
    /// and a round trip through String and replacingOccurrences would cost more than serving it.
    static func replacing(_ marker: Data, with replacement: Data, in data: Data) -> Data {
        var out = Data()
        out.reserveCapacity(data.count)
        var rest = data.startIndex
        while let found = data.range(of: marker, in: rest..<data.endIndex) {
            out.append(data[rest..<found.lowerBound])
            out.append(replacement)
            rest = found.upperBound
        }
        out.append(data[rest..<data.endIndex])
        return out
    }

    private static func respond(_ reply: SimReply, _ request: Request, _ context: SimContext) -> Response {
        if reply.drop {
            // Answer nothing: the client sees the connection close, as after a network fault.
            context.channel.close(promise: nil)
        }
        var body = reply.body
        if reply.contentType == "application/json", body.range(of: SimBaseURL.markerBytes) != nil {
            let authority = request.head.authority ?? "127.0.0.1"
            body = replacing(SimBaseURL.markerBytes, with: Data("http://\(authority)".utf8), in: body)
        }
        var headers = HTTPFields()
        headers[.contentType] = reply.contentType
        for (name, value) in reply.headers {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }
        return Response(status: .init(code: reply.status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
