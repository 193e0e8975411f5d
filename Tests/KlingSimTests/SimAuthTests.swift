import Foundation
import Testing
import TroupeProviders
@testable import KlingSim

@Suite struct SimAuthTests {
    let accounts = ["ak": "sk"]
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    func code(_ header: String?) -> Int? {
        do { _ = try SimAuth.verify(header, accounts: accounts, now: now); return nil }
        catch { return error.code }
    }

    func token(_ access: String = "ak", _ secret: String = "sk", at date: Date) -> String {
        "Bearer " + KlingCredentials(accessKey: access, secretKey: secret).token(now: date)
    }

    @Test func acceptsAValidToken() throws {
        #expect(try SimAuth.verify(token(at: now), accounts: accounts, now: now) == "ak")
    }

    @Test func reportsEachFailureWithKlingsCode() {
        #expect(code(nil) == 1001)
        #expect(code("Bearer ") == 1001)
        #expect(code("Basic abc") == 1001)
        #expect(code("Bearer not.a.jwt") == 1002)
        #expect(code(token("ak", "wrong", at: now)) == 1002)
        #expect(code(token("stranger", "sk", at: now)) == 1000)
        #expect(code(token(at: now.addingTimeInterval(60))) == 1003, "nbf = issue time − 5 s is still in the future")
        #expect(code(token(at: now.addingTimeInterval(-1801))) == 1004)
    }
}
