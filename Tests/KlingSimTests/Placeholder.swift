import KlingSim
import Testing
@Test func KlingSimLinks() { #expect(String(describing: KlingSimModule.self) == "KlingSimModule") }
