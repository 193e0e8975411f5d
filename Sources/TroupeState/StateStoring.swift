public import Foundation

/// What the executor, the lock writer and the status commands need of a state store: a row
/// per job key and the append-only ledger of create calls. Two backends: `StateStore`
/// (SQLite in `.troupe/`, the default, one runner per folder under the campaign lock) and
/// `PostgresStateStore` (`--state postgres://…`, shared by many runners: rows are claimed
/// with leases before a paid job runs). Every write is committed before it returns, except
/// `saveLater`'s.
public protocol StateStoring: AnyObject, Sendable {
    /// Where the state lives, for messages (a path, or a URL without its password).
    var location: String { get }
    /// The runners this store is shared with, when other runners may work on the same rows
    /// (their leases, slots and rows); nil for a store one runner has to itself.
    var team: (any TeamCoordinating)? { get }

    func record(_ key: String) async throws -> JobRecord?
    /// Each row's key, kind, state and result digest: what `plan` and `status` need.
    func states() async throws -> [JobStateRow]
    func records() async throws -> [JobRecord]
    func records(keys: some Collection<String>) async throws -> [String: JobRecord]
    /// Inserts or replaces a job's row.
    func save(_ record: JobRecord) async throws
    /// Updates a row and appends a ledger line together.
    func save(_ record: JobRecord, ledger event: String, detail: String?, at: Date) async throws
    /// The intent to create (row in `submitting` + ledger line) in one commit: a crash after
    /// it always leads to a query before any new submission.
    func commitIntent(_ record: JobRecord, at: Date) async throws
    /// A row a crash may lose at the price of free work done again, committed soon.
    func saveLater(_ record: JobRecord, ledger event: String?, detail: String?, at: Date?) async
    /// Commits what `saveLater` holds.
    func flush() async throws
    func ledger() async throws -> [LedgerEntry]
    func delete(keys: [String]) async throws
    /// Commits what waits and lets go of the store; nothing may use it afterwards.
    func close() async throws

    /// Takes the row of a paid job for this runner before it creates, queries or downloads:
    /// `.claimed` with the row as it is now (`fresh` when there is none yet), or `.held` while
    /// another live runner works on it. A store with one runner claims at once.
    func claim(_ key: String, fresh: JobRecord) async throws -> Claim
    /// The paid jobs this run will claim, in the order it takes them (fresh rows): a shared
    /// store claims them a few at a time ahead of their turn.
    func expect(claims: [JobRecord]) async throws

    /// Keeps `timeline` as its campaign's last run, replacing the one before: one write, as
    /// the run ends.
    func saveTimeline(_ timeline: RunTimeline) async throws
    /// The last run of `campaign` the store keeps (nil before any).
    func lastTimeline(campaign: String) async throws -> RunTimeline?
}

/// The answer of `StateStoring.claim`.
public enum Claim: Sendable, Equatable {
    case claimed(JobRecord)
    /// Another runner holds the job's lease for `seconds` more (unless it renews it).
    case held(by: String, seconds: Double)
}

extension StateStoring {
    public var team: (any TeamCoordinating)? { nil }
    public func expect(claims: [JobRecord]) async throws {}
    public func saveLater(_ record: JobRecord) async { await saveLater(record, ledger: nil, detail: nil, at: nil) }
    public func save(_ record: JobRecord, ledger event: String, at: Date) async throws {
        try await save(record, ledger: event, detail: nil, at: at)
    }
}

/// A paid job's row was taken over by another runner while this one worked on it (its lease
/// expired: the runner was paused or cut off longer than the lease). It stops; the other
/// runner goes on through the same query-before-create path.
public struct LeaseLost: Error, CustomStringConvertible {
    public var key: String
    public init(key: String) { self.key = key }
    public var description: String {
        "the lease on job \(key.prefix(12))… expired and another runner took it over; this runner left it to that one"
    }
}
