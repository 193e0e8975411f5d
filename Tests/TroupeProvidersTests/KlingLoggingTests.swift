import Foundation
import Logging
import Testing
import TroupeNet
@testable import TroupeProviders

/// Collects every log line and its metadata, to check that secrets never reach a log.
final class CapturingLogHandler: LogHandler, @unchecked Sendable {
    let lock = NSLock()
    var lines: [String] = []
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        lock.withLock { lines.append("\(event.message) \(all) \(event.error.map { "\($0)" } ?? "")") }
    }
}

@Suite struct KlingLoggingTests {
    @Test func logsNeverCarryTheSecretOrTheToken() async throws {
        let handler = CapturingLogHandler()
        let logger = Logger(label: "test") { _ in handler }
        try await KlingFixture.with { f in
            let client = KlingClient(credentials: KlingCredentials(accessKey: KlingFixture.access, secretKey: KlingFixture.secret),
                                     baseURL: f.sim.baseURL, http: f.http, logger: logger)
            _ = try await client.createMotionControl(KlingFixture.request("logged"))
            _ = try await client.lookup(externalTaskID: "missing")
            let wrong = KlingClient(credentials: KlingCredentials(accessKey: KlingFixture.access, secretKey: "wrong-secret-xyz"),
                                    baseURL: f.sim.baseURL, http: f.http, logger: logger)
            _ = try? await wrong.listMotionControl()
        }
        let lines = handler.lock.withLock { handler.lines }
        #expect(lines.count >= 3)
        #expect(lines.contains { $0.contains("/v1/videos/motion-control") })
        for line in lines {
            #expect(!line.contains(KlingFixture.secret))
            #expect(!line.contains("wrong-secret-xyz"))
            #expect(!line.contains("Bearer"))
            #expect(!line.contains("eyJ"), "no JWT (base64 of {\"alg\"…) in logs")
        }
    }
}
