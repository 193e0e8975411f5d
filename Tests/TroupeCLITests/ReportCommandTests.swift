import Foundation
import Testing

/// `troupe report` and the refresh at the end of `troupe run`, through the real binary.
@Suite(.serialized) struct ReportCommandTests {
    @Test func reportBeforeAnyRunThenRunRefreshesIt() throws {
        let p = try CLIProject()
        let index = p.dir.appendingPathComponent("out/report/index.html").path
        let first = try troupe(["report"], in: p.dir)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("(4 cells: 4 new;"), "\(first.stdout)")
        let planned = try String(contentsOfFile: index, encoding: .utf8)
        #expect(planned.components(separatedBy: "data-status=\"new\" id=\"cell-").count - 1 == 4)
        // A report never creates the state store of a campaign that has not run.
        #expect(!FileManager.default.fileExists(atPath: p.dir.appendingPathComponent(".troupe/state.sqlite").path))

        let run = try troupe(["run"], in: p.dir)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("report: "), "\(run.stderr)")
        let done = try String(contentsOfFile: index, encoding: .utf8)
        #expect(done.components(separatedBy: "data-status=\"done\" id=\"cell-").count - 1 == 4)
        #expect(done.contains("data-video=\"../renders/mochi/wave.mp4\""))
    }

    @Test func runWithoutAReportWritesNoneUnlessAsked() throws {
        let p = try CLIProject()
        let run = try troupe(["run", "--only", "mochi/wave"], in: p.dir)
        #expect(run.status == 0, "\(run.stderr)")
        let index = p.dir.appendingPathComponent("out/report/index.html").path
        #expect(!FileManager.default.fileExists(atPath: index))
        let again = try troupe(["run", "--only", "mochi/wave", "--report"], in: p.dir)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(FileManager.default.fileExists(atPath: index))
        let site = p.dir.appendingPathComponent("site").path
        let elsewhere = try troupe(["report", "-o", site], in: p.dir)
        #expect(elsewhere.status == 0, "\(elsewhere.stderr)")
        let html = try String(contentsOfFile: site + "/index.html", encoding: .utf8)
        #expect(html.contains("data-video=\"../out/renders/mochi/wave.mp4\""))
    }
}
