import Foundation
internal import GRDB
import TroupePlan
import TroupeSupport

// The SQLite store's reading of rows, kept out of the records' public API (a public type
// cannot conform to a protocol of a module imported internally): the PostgreSQL store and the
// report use the same types without linking GRDB.

/// A `job` row as GRDB reads it.
struct JobRow: FetchableRecord, TableRecord {
    static let databaseTableName = "job"
    var record: JobRecord

    init(row: Row) throws { record = try JobRecord(row: row) }
}

extension JobRecord {
    init(row: Row) throws { try self.init(reading: SQLiteJobRow(row: row)) }
}

/// A `job` row as GRDB reads it, column by column.
struct SQLiteJobRow: JobRowReading {
    let row: Row
    func text(_ column: String) -> String? { row[column] }
    func integer(_ column: String) -> Int64? { row[column] }
    func real(_ column: String) -> Double? { row[column] }
    func time(_ column: String) -> Date? { row[column] }
}

extension JobColumnValue {
    /// The value as the SQLite store binds it (times as its UTC text stamps).
    var sqlite: (any DatabaseValueConvertible)? {
        switch self {
        case .text(let v): v
        case .integer(let v): v
        case .real(let v): v
        case .time(let v): UTCStamp.sql(v)
        }
    }
}

extension LedgerEntry {
    init(row: Row) {
        self.init(key: row["key"], externalTaskId: row["external_task_id"], event: row["event"], detail: row["detail"], at: row["at"])
        seq = row["seq"]
    }
}
