import Foundation
import Testing
import KlingSim
import TroupeTestSupport

/// `troupe run --notify URL` (and TROUPE_NOTIFY_URL, and the manifest's `notify:`) against a
/// local webhook receiver: a finished, a failed and a budget-stopped run, each reported once,
/// with no secret in any notice or message.
@Suite(.serialized) struct RunNotifyTests {
    /// The webhook's path is its secret, as a Slack webhook's is.
    static let hookPath = "/hook/T0001/B0002/webhookSECRETpart"
    static let presigned = "https://bucket.s3.amazonaws.com/media/c0.png?X-Amz-Credential=AKIAEXAMPLE&X-Amz-Signature=feedfacecafe0123"
    static let secrets = ["webhookSECRETpart", "sim-secret-key", "awsSecretValue123", "X-Amz-Signature", "feedfacecafe0123", "AKIAEXAMPLE"]

    func environment(_ p: SimProject) -> [String: String] {
        p.env.merging(["TROUPE_NOTIFY_DEADLINE": "5", "AWS_SECRET_ACCESS_KEY": "awsSecretValue123",
                       "TROUPE_NOTIFY_URL": "", "PRESIGNED_SAMPLE": Self.presigned]) { $1 }
    }

    func expectNoSecret(_ texts: String..., sourceLocation: SourceLocation = #_sourceLocation) {
        for text in texts {
            for secret in Self.secrets {
                #expect(!text.contains(secret), "'\(secret)' leaked: \(text)", sourceLocation: sourceLocation)
            }
        }
    }

    @Test func aFinishedRunIsReportedOnceWithItsFigures() async throws {
        let hook = try await WebhookReceiver.start(failures: [503])
        let p = try await SimProject.start(RemoteManifest.text(characters: 2, clips: 1), name: "notify-finished")
        defer { p.close(); Task { await hook.stop() } }
        let r = try await troupeAsync(["run", "--time-scale", "50", "--poll-interval", "1", "--notify", hook.baseURL + Self.hookPath],
                                      in: p.dir, environment: environment(p))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("notified \(hook.baseURL) (finished)"), "\(r.stderr)")
        let received = await hook.received(), delivered = await hook.delivered()
        #expect(received.count == 2 && delivered.count == 1, "a 503 first, then the retry taken")
        let notice = try #require(delivered.first?.json)
        #expect(delivered.first?.path == Self.hookPath)
        #expect(notice["event"] as? String == "finished" && notice["campaign"] as? String == "sim-campaign")
        #expect(notice["units_spent"] as? Double == 9 && notice["failed"] as? Int == 0 && notice["exit_code"] as? Int == 0)
        #expect((notice["outputs"] as? [String])?.count == 2, "\(notice)")
        #expect(notice["stop_reason"] is NSNull && (notice["duration_seconds"] as? Double ?? -1) >= 0)
        let text = try #require(notice["text"] as? String)
        #expect(text.hasPrefix("troupe: sim-campaign finished: "), "\(text)")
        #expect(text.contains(", 0 failed, 9 units spent, 2 outputs, in "), "\(text)")
        expectNoSecret(r.stdout, r.stderr, delivered[0].text)
    }

    /// The manifest's `notify:` with `on: [failed]` and the URL from the environment: a failed
    /// run is reported (its providers' words without a presigned URL's signature); a run
    /// stopped by the budget is not, since `on` leaves it out.
    @Test func aFailedRunIsReportedWithoutSecrets() async throws {
        let hook = try await WebhookReceiver.start()
        let manifest = RemoteManifest.text(characters: 2, clips: 1, extra: "notify: {url: $HOOK_URL, on: [failed]}\n")
        let p = try await SimProject.start(manifest, name: "notify-failed") { config in
            config.failedTaskRate = 1
            config.failureMessage = "could not fetch \(Self.presigned)"
        }
        defer { p.close(); Task { await hook.stop() } }
        let env = environment(p).merging(["HOOK_URL": hook.baseURL + Self.hookPath]) { $1 }
        let r = try await troupeAsync(["run", "--time-scale", "50", "--poll-interval", "1"], in: p.dir, environment: env)
        #expect(r.status == 1, "\(r.stderr)")
        let delivered = await hook.delivered()
        #expect(delivered.count == 1)
        let notice = try #require(delivered.first?.json)
        #expect(notice["event"] as? String == "failed" && notice["failed"] as? Int == 2 && notice["exit_code"] as? Int == 1)
        let failures = try #require(notice["failed_jobs"] as? [[String: Any]])
        #expect(failures.count == 2)
        #expect((failures.first?["reason"] as? String)?.contains("https://bucket.s3.amazonaws.com/media/c0.png") == true, "\(failures)")
        #expect((notice["text"] as? String)?.contains("failed: 0 done, 2 failed") == true, "\(notice)")
        // The notice and troupe's line about it; the run's own failure lines quote the provider.
        let noticeLines = r.stderr.split(separator: "\n").filter { $0.hasPrefix("notified") || $0.contains("notice") }
        #expect(noticeLines == ["notified \(hook.baseURL) (failed)"], "\(r.stderr)")
        expectNoSecret(delivered[0].text)

        // A third character: new cells, over a budget of 1 unit.
        try p.write(RemoteManifest.text(characters: 3, clips: 1, extra: "notify: {url: $HOOK_URL, on: [failed]}\n"))
        let budget = try await troupeAsync(["run", "--max-units", "1"], in: p.dir, environment: env)
        #expect(budget.status == 3, "\(budget.stderr)")
        #expect(await hook.received().count == 1, "budget is not in notify.on")
    }

    /// Refused by the budget before anything is spent (TROUPE_NOTIFY_URL), and a receiver that
    /// never takes the notice: a warning naming only its host, the exit status the run's.
    @Test func aBudgetStopIsReportedAndAnUndeliverableNoticeOnlyWarns() async throws {
        let hook = try await WebhookReceiver.start()
        let p = try await SimProject.start(RemoteManifest.text(characters: 2, clips: 2, maxUnits: 10), name: "notify-budget")
        defer { p.close(); Task { await hook.stop() } }
        let env = environment(p).merging(["TROUPE_NOTIFY_URL": hook.baseURL + Self.hookPath]) { $1 }
        let r = try await troupeAsync(["run"], in: p.dir, environment: env)
        #expect(r.status == 3, "\(r.stderr)")
        let notice = try #require(await hook.delivered().first?.json)
        #expect(notice["event"] as? String == "budget" && notice["done"] as? Int == 0 && notice["units_spent"] as? Double == 0)
        #expect((notice["stop_reason"] as? String)?.contains("10") == true, "\(notice)")
        #expect((notice["text"] as? String)?.hasPrefix("troupe: sim-campaign stopped by a budget limit: ") == true, "\(notice)")
        #expect(await p.sim.stats().creates == 0)

        let refusing = try await WebhookReceiver.start(alwaysFail: 500)
        defer { Task { await refusing.stop() } }
        let quick = env.merging(["TROUPE_NOTIFY_URL": refusing.baseURL + Self.hookPath, "TROUPE_NOTIFY_DEADLINE": "0.5"]) { $1 }
        let undelivered = try await troupeAsync(["run"], in: p.dir, environment: quick)
        #expect(undelivered.status == 3, "the notice never changes the exit status")
        #expect(undelivered.stderr.contains("warning: the run's notice could not be delivered to \(refusing.baseURL): HTTP 500"), "\(undelivered.stderr)")
        #expect(await refusing.received().count >= 1)
        expectNoSecret(undelivered.stderr)

        let plain = try await troupeAsync(["run", "--notify", "http://hooks.example.com/services/T/B/webhookSECRETpart"], in: p.dir, environment: env)
        #expect(plain.status == 2 && plain.stderr.contains("--notify uses plain http to 'hooks.example.com'"), "\(plain.stderr)")
        expectNoSecret(plain.stderr)
    }
}
