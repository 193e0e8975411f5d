import Foundation
internal import GRDB
import TroupePlan

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
    /// Decodes a row by column name rather than through Codable: a finished campaign of
    /// 10,000 jobs is read on every run, and Codable's generic decoding would cost more than
    /// the rest of a run that has nothing to do.
    init(row: Row) throws {
        key = row["key"]
        id = row["id"]
        let kindName: String = row["kind"]
        let kind = try JobKind(column: kindName)
        self.kind = kind
        state = try JobState(column: row["state"])
        externalTaskId = row["external_task_id"]
        taskId = row["task_id"]
        attempts = row["attempts"]
        units = row["units"]
        unitsCharged = row["units_charged"]
        elementId = row["element_id"]
        resultSHA256 = row["result_sha256"]
        resultDuration = row["result_duration"]
        lastError = row["last_error"]
        reroll = row["reroll"]
        unitsRerolled = row["units_rerolled"] ?? 0
        createdAt = row["created_at"]
        updatedAt = row["updated_at"]
    }
}

extension LedgerEntry {
    init(row: Row) {
        self.init(key: row["key"], externalTaskId: row["external_task_id"], event: row["event"], detail: row["detail"], at: row["at"])
        seq = row["seq"]
    }
}
