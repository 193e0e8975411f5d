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
}
