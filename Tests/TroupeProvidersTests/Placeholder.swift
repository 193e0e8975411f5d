import TroupeProviders
import Testing
@Test func TroupeProvidersLinks() { #expect(String(describing: TroupeProvidersModule.self) == "TroupeProvidersModule") }
