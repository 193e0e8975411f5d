import Foundation

/// Where a colour is in a cell's poster as headless Chromium shows it
/// (Tests/Browser/poster_colour.py): a screenshot of the picture, searched for the colour.
struct PosterColour: Decodable {
    /// Screenshot pixels of the picture.
    var width: Int, height: Int
    /// Pixels of the colour.
    var count: Int
    /// Their bounding box [x0, y0, x1, y1] and centroid [x, y], as fractions of the picture.
    var box: [Double]?
    var centroid: [Double]?

    /// A box in fractions of the picture.
    struct Box: CustomStringConvertible {
        var x0: Double, y0: Double, x1: Double, y1: Double

        func contains(_ x: Double, _ y: Double) -> Bool { x >= x0 && x <= x1 && y >= y0 && y <= y1 }
        func widened(by m: Double) -> Box { Box(x0: x0 - m, y0: y0 - m, x1: x1 + m, y1: y1 + m) }
        var description: String { String(format: "[%.3f, %.3f – %.3f, %.3f]", x0, y0, x1, y1) }
    }

    /// Whether the colour's centroid lies in `box`.
    func centred(in box: Box) -> Bool {
        guard let c = centroid, c.count == 2 else { return false }
        return box.contains(c[0], c[1])
    }

    /// Opens `index` in Chromium and looks for `rgb` (within `tolerance` on each channel) in the
    /// poster of `cell`; the screenshot is kept at `png`.
    static func find(index: String, cell: String, rgb: (Int, Int, Int), tolerance: Int, png: String) throws -> PosterColour {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "Tests/Browser/poster_colour.py", index, "--cell", cell,
                             "--rgb", "\(rgb.0),\(rgb.1),\(rgb.2)", "--tolerance", "\(tolerance)", "--png", png]
        process.currentDirectoryURL = repoRoot
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0, let line = data.split(separator: UInt8(ascii: "\n")).last else {
            throw CampaignError(message: "poster_colour.py failed (\(process.terminationStatus)): "
                                + String(decoding: data, as: UTF8.self) + errors)
        }
        return try JSONDecoder().decode(PosterColour.self, from: Data(line))
    }
}
