import ArgumentParser
import TroupeMedia

struct MediaThumbnailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "thumbnail", abstract: "Save the picture at a moment of a clip as PNG or JPEG.")

    @Argument(help: "Input clip or image.") var input: String
    @Argument(help: "Output image (.png, .jpg).") var output: String
    @Option(help: "Time in seconds (default: the middle).") var at: Double?
    @Option(help: "Width in pixels (height follows the aspect).") var width: Int?

    func run() async throws {
        let (input, output, at, width) = (input, output, at, width)
        try await runMedia { token in
            try MediaStills.thumbnail(input, at: at, to: output, width: width, cancellation: token)
        }
        print("\(output): thumbnail written")
    }
}

struct MediaContactSheetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contact-sheet", abstract: "A grid of the middle picture of each clip, as one image.")

    @Option(name: .shortAndLong, help: "Output image (.png, .jpg).") var output: String
    @Argument(help: "Clips or images.") var inputs: [String]
    @Option(help: "Columns (default: about square).") var columns: Int?
    @Option(help: "Cell width in pixels.") var cellWidth = 320

    func run() async throws {
        let (inputs, output, columns, cellWidth) = (inputs, output, columns, cellWidth)
        try await runMedia { token in
            try MediaStills.contactSheet(inputs, to: output, columns: columns, cellWidth: cellWidth, cancellation: token)
        }
        print("\(output): contact sheet of \(inputs.count) written")
    }
}
