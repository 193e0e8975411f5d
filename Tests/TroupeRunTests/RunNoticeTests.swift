import Foundation
import Testing
import TroupeRun

/// The notice `troupe run --notify` sends: its fields, and no secret in it.
@Suite struct RunNoticeTests {
    let presigned = "https://b.s3.amazonaws.com/k.png?X-Amz-Signature=abcdef123456&X-Amz-Credential=AKIAXXXX"

    @Test func presignedQueriesAndSecretValuesAreTakenOut() throws {
        let scrubber = NoticeScrubber(environment: ["KLING_SECRET_KEY": "kling-secret-123", "HOME": "/home/someone",
                                                    "GITHUB_TOKEN": "ghp_abcdefgh", "PATH": "/usr/bin"])
        #expect(scrubber.clean("could not fetch \(presigned) (403)") == "could not fetch https://b.s3.amazonaws.com/k.png (403)")
        #expect(scrubber.clean("signed with kling-secret-123 and ghp_abcdefgh") == "signed with [redacted] and [redacted]")
        #expect(scrubber.clean("at /home/someone") == "at /home/someone", "only variables that look secret")
        #expect(scrubber.clean("https://u:pw@h.example/p#frag") == "https://h.example/p")
    }

    @Test func theNoticeIsSlackTextPlusFieldsAndStaysValidJSON() throws {
        var notice = RunNotice(event: .failed, campaign: "spring", manifest: "troupe.yaml", done: 3, alreadyDone: 1,
                               failed: [.init(id: "render:a/b", reason: "Kling said \"no\" for \(presigned)")], notRun: 2,
                               unitsSpent: 4.5, outputs: ["out/a.mp4"], durationSeconds: 125.04, stopReason: nil, exitCode: 1)
        let data = notice.json(scrubber: NoticeScrubber(environment: [:]))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(json["text"] as? String == "troupe: spring failed: 3 done, 1 failed, 4.5 units spent, 1 output, in 2m 5s")
        #expect(json["failed"] as? Int == 1 && json["not_run"] as? Int == 2 && json["already_done"] as? Int == 1)
        #expect((json["failed_jobs"] as? [[String: Any]])?.first?["reason"] as? String == "Kling said \"no\" for https://b.s3.amazonaws.com/k.png")
        #expect(!String(decoding: data, as: UTF8.self).contains("X-Amz"))
        notice.event = .budget
        notice.stopReason = "the plan costs 18 units, over the budget of 10"
        #expect(notice.text.hasSuffix("(the plan costs 18 units, over the budget of 10)"))
        #expect(notice.text.hasPrefix("troupe: spring stopped by a budget limit: "))
    }
}
