public import Foundation

/// One resource pack of a Kling account, as `GET /account/costs` lists it. Kling's figure for
/// what remains lags the charges by up to 12 hours.
public struct ResourcePack: Sendable, Equatable {
    public var name: String
    public var total: Double
    public var remaining: Double
    /// online, runout or expired, in Kling's words.
    public var status: String
    /// When the pack stops being usable.
    public var expires: Date?

    /// Only an online pack's units can be spent.
    public var isUsable: Bool { status == "online" && remaining > 0 }

    public init(name: String, total: Double, remaining: Double, status: String, expires: Date?) {
        self.name = name
        self.total = total
        self.remaining = remaining
        self.status = status
        self.expires = expires
    }

    /// `data` of the answer: `{resource_pack_subscribe_infos: [...]}`.
    static func readList(_ reader: inout JSONReader) throws(JSONSyntaxError) -> [ResourcePack]? {
        var packs: [ResourcePack]?
        let isObject = try reader.readObject { key, reader throws(JSONSyntaxError) in
            if key.is("resource_pack_subscribe_infos") { packs = try reader.readList(read) }
        }
        return isObject ? packs ?? [] : nil
    }

    private static func read(_ reader: inout JSONReader) throws(JSONSyntaxError) -> ResourcePack? {
        var pack = ResourcePack(name: "", total: 0, remaining: 0, status: "", expires: nil)
        let isObject = try reader.readObject { key, reader throws(JSONSyntaxError) in
            if key.is("resource_pack_name") {
                pack.name = try reader.readScalar().string ?? ""
            } else if key.is("total_quantity") {
                pack.total = try reader.readScalar().double ?? 0
            } else if key.is("remaining_quantity") {
                pack.remaining = try reader.readScalar().double ?? 0
            } else if key.is("status") {
                pack.status = try reader.readScalar().string ?? ""
            } else if key.is("invalid_time") {
                pack.expires = try reader.readScalar().double.map { Date(timeIntervalSince1970: $0 / 1000) }
            }
        }
        return isObject ? pack : nil
    }
}
