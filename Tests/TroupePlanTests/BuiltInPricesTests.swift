import Foundation
import Testing
import TroupeManifest
@testable import TroupePlan

/// The price tables are compiled in (no resource bundle beside an installed binary); the JSON
/// files in `Sources/TroupePlan/Pricing` are what people review. They must say the same.
@Suite struct BuiltInPricesTests {
    static let pricingFolder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/TroupePlan/Pricing")

    @Test(arguments: ProviderKind.allCases)
    func compiledInTableIsTheDataFile(_ provider: ProviderKind) throws {
        let file = Self.pricingFolder.appendingPathComponent("\(provider.rawValue).json")
        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(BuiltInPrices.json(provider) == text,
                "Prices/BuiltInPrices.swift differs from Pricing/\(provider.rawValue).json: paste the file into it")
        let fromFile = try JSONDecoder().decode(PriceTable.self, from: Data(text.utf8))
        let builtIn = try PriceTable.builtIn(provider)
        #expect(builtIn.provider == provider.rawValue)
        #expect(builtIn.unit == fromFile.unit && builtIn.usdPerUnit == fromFile.usdPerUnit)
        #expect(builtIn.render == fromFile.render && builtIn.element == fromFile.element)
    }

    @Test func everyDataFileIsCompiledIn() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.pricingFolder.path)
            .filter { $0.hasSuffix(".json") }.sorted()
        #expect(files == ProviderKind.allCases.map { "\($0.rawValue).json" }.sorted())
    }
}
