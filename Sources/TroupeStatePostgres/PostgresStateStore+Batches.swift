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
    static let batchRowType = """
        r(key text, id text, kind text, state text, external_task_id text, task_id text, attempts bigint, units float8,
          units_charged float8, element_id bigint, result_sha256 text, result_duration float8, last_error text,
          reroll bigint, units_rerolled float8, created_at float8, updated_at float8)
        """

    /// The rows of `$1` (from `json(_:)`) as `troupe_job` columns, in key order: runners that
    /// insert the same rows at once take their locks in one order and never deadlock.
    static let batchRows = """
        SELECT r.key, r.id, r.kind, r.state, r.external_task_id, r.task_id, r.attempts, r.units, r.units_charged,
               r.element_id, r.result_sha256, r.result_duration, r.last_error, r.reroll, r.units_rerolled,
               to_timestamp(r.created_at), to_timestamp(r.updated_at)
        FROM json_to_recordset($1::json) AS \(batchRowType) ORDER BY r.key
        """

    static func json(_ records: some Collection<JobRecord>) throws -> String {
        let rows: [[String: Any]] = records.map { r in
            let values: [String: Any?] = [
                "key": r.key, "id": r.id, "kind": r.kind.rawValue, "state": r.state.rawValue,
                "external_task_id": r.externalTaskId, "task_id": r.taskId, "attempts": r.attempts, "units": r.units,
                "units_charged": r.unitsCharged, "element_id": r.elementId.map { Int($0) }, "result_sha256": r.resultSHA256,
                "result_duration": r.resultDuration, "last_error": r.lastError, "reroll": r.reroll,
                "units_rerolled": r.unitsRerolled, "created_at": r.createdAt.timeIntervalSince1970,
                "updated_at": r.updatedAt.timeIntervalSince1970,
            ]
            return values.mapValues { $0 ?? NSNull() }
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
