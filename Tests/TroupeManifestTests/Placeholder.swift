import TroupeManifest
import Testing
@Test func formatIsOne() { #expect(TroupeManifestVersion.format == 1) }
