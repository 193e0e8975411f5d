import TroupeNet
import Testing
@Test func TroupeNetLinks() { #expect(String(describing: TroupeNetModule.self) == "TroupeNetModule") }
