import Foundation
import Testing
import TroupeTestSupport

/// Suite trait: one moto_server around the whole suite.
struct WithMotoServer: SuiteTrait, TestScoping {
    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let server = try await MotoServer.launch()
        defer { server.terminate() }
        try await MotoServer.$current.withValue(server) { try await function() }
    }
}

extension Trait where Self == WithMotoServer {
    static var motoServer: WithMotoServer { WithMotoServer() }
}
