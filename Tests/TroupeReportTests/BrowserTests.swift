import Foundation
import Testing
import TroupeReport

let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The report in a real browser: headless Chromium (Debian's package, driven through
/// chromium-driver by Tests/Browser/report_page.py) opens the page from file:// and checks
/// what a person sees against the page model of the same campaign. No browser is a failure,
/// not a skip: scripts/bootstrap.sh installs it.
@Suite struct BrowserTests {
    @Test func theReportReadsAndPlaysInChromium() async throws {
        let (demo, store) = try await SharedDemo.shared.halfRendered()
        let result = try await demo.report(store: store)
        let expect = Expectations(page: result.page)
        let expectPath = demo.dir + "/expect.json"
        try JSONEncoder().encode(expect).write(to: URL(fileURLWithPath: expectPath))

        let screenshots = repoRoot.appendingPathComponent(".build").path
        let (status, output) = try runScript(["Tests/Browser/report_page.py", result.indexPath,
                                              "--expect", expectPath, "--screenshots", screenshots])
        #expect(status == 0, "\(output)")
        // The checks ran (a page that lost its cells would fail them, not skip them).
        #expect(output.contains("ok    4 cells on the page"), "\(output)")
        #expect(FileManager.default.fileExists(atPath: screenshots + "/report-screenshot.png"))
    }

    /// What the browser must find, from the page model.
    struct Expectations: Encodable {
        struct Cell: Encodable {
            var id: String, status: String, poster: Bool, video: Bool, reason: String?
        }
        struct Reel: Encodable {
            var name: String, video: Bool, filmstrip: Bool
        }
        var cells: [Cell]
        var reels: [Reel]

        init(page: ReportPage) {
            cells = page.cells.map { Cell(id: $0.id, status: $0.status.rawValue, poster: $0.poster != nil,
                                          video: $0.video != nil, reason: $0.reason) }
            reels = page.reels.map { Reel(name: $0.name, video: $0.video != nil, filmstrip: $0.filmstrip != nil) }
        }
    }

    func runScript(_ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        process.currentDirectoryURL = repoRoot
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }
}
