import Testing
@testable import TroupeManifest

/// `notify:`: where `troupe run` reports how it ended, with located diagnostics.
@Suite struct NotifyDecodingTests {
    func manifest(_ notify: String) -> String {
        """
        troupe: 1
        name: hooks
        characters:
        \(remoteCharacter("mochi"))
        clips:
        \(remoteClip("wave"))
        renders: [{characters: ["*"], clips: ["*"]}]
        \(notify)
        """
    }

    @Test func urlAndEventsAreRead() throws {
        let r = load(manifest("notify: {url: \"https://hooks.example.com/services/T/B/X\", on: [failed, budget]}"))
        #expect(r.diagnostics.isEmpty, "\(r.diagnostics)")
        let notify = try #require(r.manifest?.notify)
        #expect(notify.url.value == "https://hooks.example.com/services/T/B/X" && notify.environmentVariable == nil)
        #expect(notify.on == [.failed, .budget])
        #expect(notify.url.mark.line == 8)
    }

    @Test func everyEventByDefaultAndTheURLFromTheEnvironment() throws {
        for written in ["$SLACK_WEBHOOK_URL", "${SLACK_WEBHOOK_URL}"] {
            let r = load(manifest("notify: {url: \"\(written)\"}"))
            #expect(r.diagnostics.isEmpty, "\(r.diagnostics)")
            #expect(r.manifest?.notify?.environmentVariable == "SLACK_WEBHOOK_URL")
            #expect(r.manifest?.notify?.on == Set(NotifyEvent.allCases))
        }
    }

    @Test func problemsAreLocatedAndSayWhatToDo() throws {
        let plain = load(manifest("notify: {url: \"http://hooks.example.com/x\"}"))
        let d = try #require(plain.diagnostics.first)
        #expect(d.code == "invalid-value" && d.line == 8 && d.message == "'notify.url' uses plain http to 'hooks.example.com'")
        #expect(d.hint?.contains("$SLACK_WEBHOOK_URL") == true)
        #expect(!d.message.contains("/x"), "the URL's path may be its secret")
        #expect(codes(load(manifest("notify: {url: \"https://h.example.com\", on: [done]}"))) == ["invalid-value"])
        #expect(codes(load(manifest("notify: {url: \"https://h.example.com\", on: []}"))) == ["invalid-value"])
        #expect(codes(load(manifest("notify: {on: [failed]}"))) == ["missing-key"])
        #expect(codes(load(manifest("notify: {url: \"https://h.example.com\", when: [failed]}"))) == ["unknown-key"])
        #expect(codes(load(manifest("notify: {url: \"$9LIVES\"}"))) == ["invalid-value"])
        #expect(codes(load(manifest("notify: {url: \"http://127.0.0.1:9/hook\"}"))).isEmpty)
    }
}
