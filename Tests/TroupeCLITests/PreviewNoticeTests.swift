import Foundation
import Testing

/// The preview says when it cannot follow a clip's subject (issue 28): `troupe run` prints it
/// once per clip, as a warning of the first render that used the clip, and records it in the
/// events; a clip whose subject is followed says nothing.
@Suite struct PreviewNoticeTests {
    @Test func aClipWithNoSubjectIsSaidOnceAndTheRunSucceeds() throws {
        let p = try CLIProject()
        let clip = p.dir.appendingPathComponent("media/wave.mp4").path
        let synth = try troupe(["media", "synth", clip, "--seconds", "5", "--still"], in: p.dir)
        #expect(synth.status == 0, "\(synth.stderr)")
        let r = try troupe(["run", "--events", "events.ndjson"], in: p.dir)
        #expect(r.status == 0, "\(r.stderr)")
        // Both characters dance the same clip; the clip is analysed once, so said once.
        let said = r.stdout.split(separator: "\n") + r.stderr.split(separator: "\n")
        let notices = said.filter { $0.contains("the character stands at the centre") }
        #expect(notices.count == 1, "\(r.stdout)\n\(r.stderr)")
        #expect(notices.first?.hasPrefix("warning: render:") == true && notices.first?.contains("/wave:") == true,
                "\(notices)")
        #expect(notices.first?.contains("no moving subject") == true, "\(notices)")
        // The other clips have a subject: nothing said of them.
        #expect(!said.contains { $0.contains("/hop:") && $0.contains("centre") })
        let events = try String(contentsOf: p.dir.appendingPathComponent("events.ndjson"), encoding: .utf8)
        let warnings = events.split(separator: "\n").filter { $0.contains("\"event\":\"warning\"") }
        #expect(warnings.count == 1 && warnings.first?.contains("\"job\":\"render:") == true, "\(warnings)")
    }
}
