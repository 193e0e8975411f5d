import ArgumentParser

struct Validate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check a manifest offline.")
    @Argument(help: "The manifest (default: troupe.yaml).") var manifest: String = "troupe.yaml"
    func run() async throws {}
}
