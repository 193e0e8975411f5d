import ArgumentParser

@main
struct Troupe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "troupe",
        abstract: "Plan, price and render batches of Kling Motion Control videos from a YAML manifest.",
        version: TroupeVersion.description,
        subcommands: [InitCommand.self, Validate.self, PlanCommand.self, RunCommand.self, StatusCommand.self, StateCommand.self,
                      VerifyCommand.self, GCCommand.self, CacheCommand.self, ReportCommand.self, MediaCommand.self])

    /// As ArgumentParser's, with file-system errors any command lets through said in plain
    /// words (path and cause) instead of a Foundation error dump.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var async = command as? any AsyncParsableCommand {
                try await async.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: FileErrors.translated(error))
        }
    }
}
