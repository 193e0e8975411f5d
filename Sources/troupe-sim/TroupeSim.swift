import ArgumentParser
import Foundation
import KlingSim

@main
struct TroupeSim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "troupe-sim",
        abstract: "A local server that speaks the Kling Motion Control API, with fault injection.",
        subcommands: [Serve.self],
        defaultSubcommand: Serve.self)
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the simulator until interrupted.")

    @Option(help: "JSON file with simulator settings (snake_case keys of SimConfiguration).") var config: String?
    @Option(help: "Port to listen on (0 = random).") var port: Int?
    @Option(help: "Accepted credentials as ACCESS:SECRET (repeatable).") var account: [String] = []
    @Option(help: "Simulated seconds per real second.") var timeScale: Double?
    @Option(help: "Task latency range in simulated seconds, MIN-MAX.") var latency: String?
    @Option(help: "Concurrent tasks per account before 1303.") var concurrency: Int?
    @Option(help: "Requests per second per account before 1302.") var rateLimit: Double?
    @Option(help: "Retry-After seconds sent with 1302/1303.") var retryAfter: Int?
    @Option(help: "Probability of a 5xx answer.") var errorRate: Double?
    @Option(help: "Probability that a task fails.") var failRate: Double?
    @Option(help: "Probability that a connection is dropped without an answer.") var dropRate: Double?
    @Option(help: "Result URL lifetime in simulated seconds.") var urlExpiry: Double?
    @Option(help: "Seconds of output billed per task.") var billedSeconds: Double?
    @Option(help: "Seed for fault decisions.") var seed: UInt64?
    @Option(help: "Units in the account's resource pack: /account/costs counts them down, and creates answer 1102 once they are charged.")
    var packUnits: Double?
    @Flag(help: "Log every request.") var verbose = false
    @Flag(help: "Serve placeholder results instead of preview renders of the fetched inputs (faster; not video).")
    var placeholderResults = false

    func run() async throws {
        var settings = SimConfiguration()
        if let config { settings = try SimConfiguration.decode(json: Data(contentsOf: URL(fileURLWithPath: config))) }
        if let port { settings.port = port }
        if !account.isEmpty {
            settings.accounts = [:]
            for pair in account {
                let parts = pair.split(separator: ":", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { throw ValidationError("--account takes ACCESS:SECRET") }
                settings.accounts[parts[0]] = parts[1]
            }
        }
        if let timeScale { settings.timeScale = timeScale }
        if let latency {
            let parts = latency.split(separator: "-").compactMap { Double($0) }
            guard parts.count == 2 else { throw ValidationError("--latency takes MIN-MAX in seconds") }
            (settings.latencyMin, settings.latencyMax) = (parts[0], parts[1])
        }
        if let concurrency { settings.concurrencyLimit = concurrency }
        if let rateLimit { settings.rateLimit = rateLimit }
        if let retryAfter { settings.retryAfterSeconds = retryAfter }
        if let errorRate { settings.serverErrorRate = errorRate }
        if let failRate { settings.failedTaskRate = failRate }
        if let dropRate { settings.dropRate = dropRate }
        if let urlExpiry { settings.urlExpiry = urlExpiry }
        if let billedSeconds { settings.billedSeconds = billedSeconds }
        if let seed { settings.seed = seed }
        if let packUnits { settings.packUnits = packUnits }

        let renderer: any ResultRenderer = placeholderResults ? PlaceholderRenderer() : PreviewResultRenderer()
        let server = try await KlingSimServer.start(settings, renderer: renderer, verbose: verbose, stopOnSignals: true)
        print("troupe-sim listening on \(server.baseURL)")
        fflush(nil)
        await server.waitUntilStopped()
    }
}
