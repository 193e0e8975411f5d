import Foundation

/// Which external id each row has in the database, as far as this store knows: only what
/// it wrote in transactions that committed (a failed one forgets everything).
final class WrittenExternalIDs: @unchecked Sendable {
    private let lock = NSLock()
    private var ids: [String: String?] = [:]

    func has(_ key: String, _ externalID: String?) -> Bool {
        lock.withLock { ids[key].map { $0 == externalID } ?? false }
    }
    func set(_ key: String, _ externalID: String?) { lock.withLock { ids[key] = .some(externalID) } }
    func forgetAll() { lock.withLock { ids = [:] } }
}

/// Rows and ledger lines saved for later, by whichever job, until a commit takes them.
final class LaterRows: @unchecked Sendable {
    struct Batch {
        var rows: [String: JobRecord] = [:]
        var ledger: [LedgerEntry] = []
    }
    private let lock = NSLock()
    private var batch = Batch()
    private var armed = false

    var isEmpty: Bool { lock.withLock { batch.rows.isEmpty && batch.ledger.isEmpty } }

    /// The row waiting for `key`, newer than the database's.
    func row(_ key: String) -> JobRecord? { lock.withLock { batch.rows[key] } }

    /// Adds a row; true when the caller must arm the timer that commits it.
    func add(_ record: JobRecord, _ line: LedgerEntry?) -> Bool {
        lock.withLock {
            batch.rows[record.key] = record
            if let line { batch.ledger.append(line) }
            defer { armed = true }
            return !armed
        }
    }

    func disarm() { lock.withLock { armed = false } }

    func take() -> Batch {
        lock.withLock {
            defer { batch = Batch() }
            return batch
        }
    }

    /// Puts back what a failed commit took; rows saved since are newer and stay.
    func restore(_ taken: Batch) {
        lock.withLock {
            batch.rows.merge(taken.rows) { newer, _ in newer }
            batch.ledger = taken.ledger + batch.ledger
        }
    }
}
