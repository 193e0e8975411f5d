import Foundation
import TroupeSupport

/// fal's platform listing, `GET /v1/models/requests/by-endpoint` (https://api.fal.ai/v1 in
/// production): how a client finds the request id of a submit whose answer it lost.
///
/// As documented (https://fal.ai/docs/platform-apis/v1/models/requests/by-endpoint.md):
/// `Authorization: Key …`; endpoint_id required, comma-separated or repeated, at most 50;
/// start/end ISO 8601 (end exclusive; start defaults to 24 hours back, 90 days when request_id
/// is given); status success|error|user_error; request_id; limit 1–100 (default 50); cursor
/// "encoding the page number" (base64 of it: "Mg==" is page 2); expand=payloads adds
/// json_input/json_output; sort_by ended_at (default) or duration. Answers
/// {items: [{request_id, endpoint_id, started_at, sent_at, ended_at, status_code, duration,
/// json_input, json_output}], next_cursor, has_more}.
/// Assumed: requests that have not ended are listed (ended_at, status_code and duration null,
/// started_at null while queued), ahead of the ended ones, so a lost submit is found while it
/// still runs; start/end select by sent_at; duration is ended_at − sent_at in seconds; newest
/// first; a status filter leaves unended requests out; payloads go with the result's retention.
extension SimState {
    func falListRequests(authorization: String?, query: [String: [String]]) -> SimReply {
        guard falKey(authorization) != nil else { return .json(401, ["detail": "Unauthorized"]) }
        func values(_ name: String) -> [String] {
            (query[name] ?? []).flatMap { $0.split(separator: ",") }
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        func invalid(_ field: String, _ message: String) -> SimReply {
            .json(422, ["detail": [["loc": ["query", field], "msg": message, "type": "value_error"]]])
        }
        let endpoints = Set(values("endpoint_id"))
        guard !endpoints.isEmpty else { return invalid("endpoint_id", "Field required") }
        guard endpoints.count <= 50 else { return invalid("endpoint_id", "at most 50 endpoint ids") }
        let limit = values("limit").last.map { Int($0) ?? 0 } ?? 50
        guard (1...100).contains(limit) else { return invalid("limit", "limit must be between 1 and 100") }
        var page = 1
        if let cursor = values("cursor").last {
            guard let data = Data(base64Encoded: cursor), let number = Int(String(decoding: data, as: UTF8.self)), number >= 1 else {
                return invalid("cursor", "invalid cursor")
            }
            page = number
        }
        let requestID = values("request_id").last
        let status = values("status").last
        guard status == nil || ["success", "error", "user_error"].contains(status!) else {
            return invalid("status", "status must be one of success, error, user_error")
        }
        let sortBy = values("sort_by").last ?? "ended_at"
        guard sortBy == "ended_at" || sortBy == "duration" else { return invalid("sort_by", "sort_by must be ended_at or duration") }
        let nowWall = wallNow
        // Without `end`, everything up to now: on a clock that stands still "before now" would drop it all.
        guard let end = values("end").last.map(Self.falDate) ?? .infinity else { return invalid("end", "invalid date") }
        let back = (requestID == nil ? 1.0 : 90.0) * 86_400
        guard let start = values("start").last.map(Self.falDate) ?? nowWall - back else { return invalid("start", "invalid date") }
        let payloads = values("expand").contains("payloads")

        settleFal()
        let matching = fal.order.compactMap { fal.requests[$0] }.filter { request in
            let sent = falWall(request.sentAt)
            guard endpoints.contains(request.endpointID), sent >= start, sent < end else { return false }
            if let requestID, request.id != requestID { return false }
            guard let status else { return true }
            guard let code = request.statusCode else { return false }
            switch status {
            case "success": return (200..<300).contains(code)
            case "error": return code >= 500
            default: return (400..<500).contains(code)
            }
        }
        let sorted = matching.sorted { a, b in
            // Unended ones (nil) first when sorting by end time, last when sorting by duration.
            let (x, y) = sortBy == "duration" ? (duration(a) ?? -1, duration(b) ?? -1) : (a.endedAt ?? .infinity, b.endedAt ?? .infinity)
            return x != y ? x > y : a.sequence > b.sequence
        }
        let pageItems = sorted.dropFirst((page - 1) * limit).prefix(limit)
        let hasMore = sorted.count > page * limit
        return .json(200, ["items": pageItems.map { falListItem($0, payloads: payloads) },
                           "next_cursor": hasMore ? Data(String(page + 1).utf8).base64EncodedString() : NSNull(),
                           "has_more": hasMore])
    }

    private func duration(_ request: SimFalRequest) -> Double? {
        request.endedAt.map { $0 - request.sentAt }
    }

    private func falListItem(_ request: SimFalRequest, payloads: Bool) -> [String: Any] {
        func stamp(_ t: Double?) -> Any { t.map { UTCStamp.iso(Date(timeIntervalSince1970: falWall($0))) } ?? NSNull() }
        var item: [String: Any] = [
            "request_id": request.id, "endpoint_id": request.endpointID, "sent_at": stamp(request.sentAt),
            "started_at": stamp(request.firstStartedAt), "ended_at": stamp(request.endedAt),
            "status_code": request.statusCode ?? NSNull(), "duration": duration(request) ?? NSNull(),
        ]
        if payloads {
            let kept = request.storesPayloads && !falExpired(request)
            item["json_input"] = kept ? (try? JSONSerialization.jsonObject(with: request.input)) ?? NSNull() : NSNull()
            item["json_output"] = kept ? falOutput(request)?.1 ?? NSNull() : NSNull()
        }
        return item
    }

    /// ISO 8601 as fal's examples write it: `2025-01-01T00:00:00Z`, fractions, or `2025-01-01`.
    static func falDate(_ text: String) -> Double? {
        var text = text
        if text.count == 10 { text += "T00:00:00Z" }
        if text.hasSuffix("+00:00") { text = String(text.dropLast(6)) + "Z" }
        return UTCStamp.date(iso: text)?.timeIntervalSince1970
    }
}
