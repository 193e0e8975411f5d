@testable import TroupeMedia
import Testing
@Test func placeholder() { #expect(Bool(true)) }
