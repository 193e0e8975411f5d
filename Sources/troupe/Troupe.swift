import ArgumentParser

@main
struct Troupe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "troupe",
        abstract: "Plan, price and render batches of Kling Motion Control videos from a YAML manifest.",
        version: TroupeVersion.description,
        subcommands: [InitCommand.self, Validate.self, PlanCommand.self, RunCommand.self, StatusCommand.self,
                      VerifyCommand.self, GCCommand.self, ReportCommand.self, MediaCommand.self])
}
