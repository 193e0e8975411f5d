import Foundation
import GRDB
import Testing
import TroupeSupport

/// The hand-made timestamps must be exactly what GRDB and Foundation would have written.
struct UTCStampTests {
    static let dates: [Date] = [
        Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1_795_000_000.125),
        Date(timeIntervalSince1970: 951_782_400.999),  // 2000-02-29
        Date(timeIntervalSince1970: -1.5), Date(timeIntervalSince1970: 4_102_444_799.001),
    ]

    @Test(arguments: dates) func sqlTextIsGRDBs(_ date: Date) throws {
        #expect(UTCStamp.sql(date) == String.fromDatabaseValue(date.databaseValue))
        let back = try #require(Date.fromDatabaseValue(UTCStamp.sql(date).databaseValue))
        #expect(abs(back.timeIntervalSince(date)) < 0.001)
    }

    /// Dates whose milliseconds are exact in binary (Foundation truncates 0.999 as stored,
    /// 0.99899…, to 998; the store's text says 999, as GRDB does).
    @Test(arguments: [0, 1_795_000_000.125, -1.5, 4_102_444_799.5, 951_782_400.75])
    func isoTextIsFoundations(_ seconds: Double) {
        let date = Date(timeIntervalSince1970: seconds)
        #expect(UTCStamp.iso(date) == date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
    }

    /// The lock's whole-second stamps (`made_at`) are Foundation's too, and read back.
    @Test(arguments: [0, 1_795_000_000.125, -1.5, 4_102_444_799.5, 951_782_400.75])
    func isoSecondsAreFoundationsAndReadBack(_ seconds: Double) throws {
        let date = Date(timeIntervalSince1970: seconds)
        let text = UTCStamp.isoSeconds(date)
        #expect(text == date.formatted(Date.ISO8601FormatStyle()))
        #expect(UTCStamp.date(iso: text) == Date(timeIntervalSince1970: seconds.rounded(.down)))
        #expect(try #require(UTCStamp.date(iso: UTCStamp.iso(date))).timeIntervalSince(date) < 0.001)
    }

    @Test(arguments: ["", "2026-12-04", "2026-12-04T13:00:00", "2026-12-04T13:00:00+01:00", "yesterdayZ", "2026-1x-04T13:00:00Z"])
    func otherTextIsNoDate(_ text: String) {
        #expect(UTCStamp.date(iso: text) == nil)
    }
}
