public import Foundation
import TroupePlan

/// The job row's columns, named once for both stores: the SQLite store and the PostgreSQL
/// store write and read a `JobRecord` through this table, in this order.
public enum JobColumns {
    /// How a column's value travels; each store maps these to its own SQL types.
    public enum Kind: Sendable { case text, integer, real, time }

    public static let all: [(name: String, kind: Kind)] = [
        ("key", .text), ("id", .text), ("kind", .text), ("state", .text), ("external_task_id", .text),
        ("task_id", .text), ("attempts", .integer), ("units", .real), ("units_charged", .real),
        ("element_id", .integer), ("result_sha256", .text), ("result_duration", .real), ("last_error", .text),
        ("reroll", .integer), ("units_rerolled", .real), ("created_at", .time), ("updated_at", .time),
        ("provider_handle", .text),
    ]

    /// `key, id, kind, …` for SELECT and INSERT lists.
    public static let names = all.map(\.name).joined(separator: ", ")

    /// A record's values in the order of `all`.
    public static func values(_ r: JobRecord) -> [JobColumnValue] {
        [.text(r.key), .text(r.id), .text(r.kind.rawValue), .text(r.state.rawValue), .text(r.externalTaskId),
         .text(r.taskId), .integer(Int64(r.attempts)), .real(r.units), .real(r.unitsCharged),
         .integer(r.elementId), .text(r.resultSHA256), .real(r.resultDuration), .text(r.lastError),
         .integer(Int64(r.reroll)), .real(r.unitsRerolled), .time(r.createdAt), .time(r.updatedAt),
         .text(r.providerHandle)]
    }
}

public enum JobColumnValue: Sendable, Equatable {
    case text(String?)
    case integer(Int64?)
    case real(Double?)
    case time(Date)
}

/// A stored row, column by column, as a store's driver reads it.
public protocol JobRowReading {
    func text(_ column: String) throws -> String?
    func integer(_ column: String) throws -> Int64?
    func real(_ column: String) throws -> Double?
    func time(_ column: String) throws -> Date?
}

extension JobRecord {
    /// Decodes a row by column name (not through Codable: a finished campaign of 10,000 jobs
    /// is read on every run). An unknown kind or state is an error, never a guess.
    public init(reading row: some JobRowReading) throws {
        let created = try row.time("created_at") ?? Date(timeIntervalSince1970: 0)
        self.init(key: try row.text("key") ?? "", id: try row.text("id") ?? "",
                  kind: try JobKind(column: try row.text("kind") ?? ""), state: try JobState(column: try row.text("state") ?? ""),
                  units: try row.real("units") ?? 0, now: created)
        externalTaskId = try row.text("external_task_id")
        taskId = try row.text("task_id")
        attempts = Int(try row.integer("attempts") ?? 0)
        unitsCharged = try row.real("units_charged")
        elementId = try row.integer("element_id")
        resultSHA256 = try row.text("result_sha256")
        resultDuration = try row.real("result_duration")
        lastError = try row.text("last_error")
        reroll = Int(try row.integer("reroll") ?? 0)
        unitsRerolled = try row.real("units_rerolled") ?? 0
        providerHandle = try row.text("provider_handle")
        updatedAt = try row.time("updated_at") ?? created
    }
}
