import ArgumentParser
import Foundation
import TroupeInit

struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a small working example project: a manifest and synthesized media.",
        discussion: """
            The project runs on the free preview provider: `cd DIR && troupe plan && troupe run`.

            Examples:
              troupe init demo
            """)

    @Argument(help: "Where to write it (default: the current folder).") var directory: String = "."

    func run() async throws {
        do {
            try ExampleProject.write(to: directory)
        } catch {
            FileHandle.standardError.write(Data("error: \(FileErrors.plain(error))\n".utf8))
            throw ExitCode(1)
        }
        print("wrote \(directory)/troupe.yaml and \(directory)/media/; next: cd \(directory) && troupe plan && troupe run")
    }
}
