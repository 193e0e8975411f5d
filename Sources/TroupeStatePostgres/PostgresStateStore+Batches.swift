import Foundation
import TroupePlan
import TroupeState

/// Many rows in one statement: they travel as one JSON array, read on the server by
/// `json_to_recordset` (timestamps as seconds since 1970, exact to the microsecond a
/// timestamptz keeps).
extension PostgresStateStore {
    /// Rows `saveLater` holds before they are written together.
    static let batchSize = 64

    /// `json_to_recordset`'s row type: the columns of `columns`, times as float8 seconds.
    static let batchRowType = "r(" + JobColumns.all.map { column in
        switch column.kind {
        case .text: column.name + " text"
        case .integer: column.name + " bigint"
        case .real, .time: column.name + " float8"
        }
    }.joined(separator: ", ") + ")"

    /// The rows of `$1` (from `json(_:)`) as `troupe_job` columns, in key order: runners that
    /// insert the same rows at once take their locks in one order and never deadlock.
    static let batchRows = "SELECT " + JobColumns.all.map { column in
        column.kind == .time ? "to_timestamp(r.\(column.name))" : "r.\(column.name)"
    }.joined(separator: ", ") + " FROM json_to_recordset($1::json) AS \(batchRowType) ORDER BY r.key"

    static func json(_ records: some Collection<JobRecord>) throws -> String {
        let rows: [[String: Any]] = records.map { r in
            var row: [String: Any] = [:]
            for (column, value) in zip(JobColumns.all, JobColumns.values(r)) {
                switch value {
                case .text(let v): row[column.name] = v ?? NSNull()
                case .integer(let v): row[column.name] = v ?? NSNull()
                case .real(let v): row[column.name] = v ?? NSNull()
                case .time(let v): row[column.name] = v.timeIntervalSince1970
                }
            }
            return row
        }
        return String(decoding: try JSONSerialization.data(withJSONObject: rows), as: UTF8.self)
    }

    /// A direct write of the row is newer than what waits for the batch.
    func dropPending(_ key: String) {
        pending.withLock { _ = $0.removeValue(forKey: key) }
    }

    /// Writes the rows `saveLater` holds, in one statement. A row unchanged in what it says
    /// (another runner wrote the same export) is left as it is.
    public func flush() async throws {
        let rows = pending.withLock { p -> [JobRecord] in
            defer { p = [:] }
            return Array(p.values)
        }
        guard !rows.isEmpty else { return }
        let sql = upsert(where: """
            (troupe_job.lease_owner IS NULL OR troupe_job.lease_owner = $2 OR troupe_job.lease_until < clock_timestamp())
            AND (troupe_job.state, troupe_job.result_sha256) IS DISTINCT FROM (excluded.state, excluded.result_sha256)
            """, from: Self.batchRows)
        // Lost if this fails, as in a crash: the exports are linked again by the next run.
        try await db.query(sql, [.text(try Self.json(rows)), .text(runnerID)], doing: "saving rows in a batch")
    }
}
