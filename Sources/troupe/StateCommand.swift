import ArgumentParser
import Foundation
import TroupeRun
import TroupeStatePostgres

/// `troupe state migrate|status`: the shared PostgreSQL state, for operators.
struct StateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "state",
        abstract: "The shared state in PostgreSQL (teams): migrate its schema, show who works on what.",
        discussion: """
            The URL comes from --state or TROUPE_STATE_URL: postgres://USER@HOST:PORT/DATABASE, the
            password from PGPASSWORD or ~/.pgpass (never printed). See docs/teams.md.

            Examples:
              troupe state migrate --state postgres://troupe@db.studio:5432/troupe
              TROUPE_STATE_URL=postgres://troupe@127.0.0.1:5432/troupe troupe state status
            """,
        subcommands: [Migrate.self, Status.self])

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create or bring the schema up to date (runs also do it).")
        @Option(help: "postgres://USER@HOST:PORT/DB (default: TROUPE_STATE_URL).") var state: String?

        func run() async throws {
            let store = try await openPostgres(try required(state), migrate: true)
            let version = try await closing(store) { try await store.schemaVersion() }
            print("\(store.location): schema v\(version) (up to date)")
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Schema version, runners, jobs per state, account slots in use.")
        @Option(help: "postgres://USER@HOST:PORT/DB (default: TROUPE_STATE_URL).") var state: String?
        @Option(help: "Only the runners of this manifest (its file name).") var campaign: String?

        func run() async throws {
            let store = try await openPostgres(try required(state), migrate: false)
            try await closing(store) {
                print("\(store.location): schema v\(try await store.schemaVersion())")
                var byState: [String: Int] = [:]
                for row in try await store.states() { byState[row.state.rawValue, default: 0] += 1 }
                print("  jobs: " + (byState.isEmpty ? "none" : byState.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")))
                try await printTeam(store, campaign: campaign)
            }
        }
    }
}

private func required(_ option: String?) throws -> String {
    guard let url = stateURL(option) else {
        FileHandle.standardError.write(Data("error: no shared state named: pass --state postgres://USER@HOST:PORT/DB or set TROUPE_STATE_URL\n".utf8))
        throw ExitCode(2)
    }
    return url
}

/// The runners and account slots, as `troupe status` and `troupe state status` print them.
func printTeam(_ store: PostgresStateStore, campaign: String?) async throws {
    let runners = try await store.runners(campaign: campaign)
    print("  runners\(campaign.map { " on \($0)" } ?? ""): \(runners.filter(\.alive).count) alive")
    for r in runners {
        let age = String(format: "%.1f", r.leaseAge)
        print("    \(r.host) pid \(r.pid): \(r.jobs) job(s) leased, heartbeat \(age) s ago\(r.alive ? "" : " (dead: its jobs go to the next runner that asks)")")
    }
    for a in try await store.accounts() {
        print("  account \(a.id): \(a.inUse) of \(a.concurrency) slots in use" + (a.lowered.map { " (lowered to \($0) after a 1303)" } ?? ""))
    }
}
