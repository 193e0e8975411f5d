import TroupeState
import TroupeStatePostgres

/// A state store as a command opened it: the folder's SQLite store, or the one many runners
/// share. A command asks the case for what only one kind has (recoveries, the team's runners),
/// never by casting the store.
enum OpenedStore {
    case local(StateStore)
    case shared(PostgresStateStore)

    var store: any StateStoring {
        switch self {
        case .local(let s): s
        case .shared(let s): s
        }
    }

    /// The shared store, which a command lets go of when it is done (its connections and, for
    /// a run, its leases); a local one is closed by the process's end.
    var shared: PostgresStateStore? {
        if case .shared(let s) = self { return s }
        return nil
    }
}

/// Runs `body`, then closes `store` however `body` ended (a defer cannot wait for it).
func closing<T>(_ store: (any StateStoring)?, _ body: () async throws -> T) async throws -> T {
    let value: T
    do { value = try await body() } catch {
        try? await store?.close()
        throw error
    }
    try? await store?.close()
    return value
}
