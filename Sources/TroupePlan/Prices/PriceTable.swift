public import TroupeManifest
import Foundation

/// A provider's prices, from the data file in the package (compiled in), optionally replaced by the
/// manifest's `pricing:` section (contract or reseller rates).
public struct PriceTable: Sendable, Decodable {
    public var provider: String
    /// What prices are counted in: Kling units, USD, a reseller's credits.
    public var unit: String
    /// USD per unit where known (1 for USD tables).
    public var usdPerUnit: Double?
    /// By "model/mode".
    public var render: [String: PriceRate]
    public var element: PriceRate

    enum CodingKeys: String, CodingKey {
        case provider, unit, render, element
        case usdPerUnit = "usd_per_unit"
    }

    public enum Problem: Error, CustomStringConvertible {
        case noRate(provider: String, model: String)

        public var description: String {
            switch self {
            case .noRate(let p, let m): return "provider '\(p)' has no price for \(m)"
            }
        }
    }

    /// The built-in table of a provider: the data file's text, compiled in (`BuiltInPrices`).
    public static func builtIn(_ provider: ProviderKind) throws -> PriceTable {
        try JSONDecoder().decode(PriceTable.self, from: Data(BuiltInPrices.json(provider).utf8))
    }

    /// The table a manifest's renders are priced with.
    public static func forManifest(_ m: Manifest, provider: ProviderKind) throws -> PriceTable {
        var table = try builtIn(provider)
        if let o = m.pricing, provider != .preview {
            if let u = o.unit, u != table.unit {
                // Other units: the override replaces the whole table rather than mixing units.
                table.unit = u
                table.usdPerUnit = nil
                table.render = [:]
            }
            table.render.merge(o.render) { _, new in new }
            if let e = o.element { table.element = e }
        }
        if let usd = m.budget?.usdPerUnit { table.usdPerUnit = usd }
        return table
    }

    public func renderRate(model: Model, mode: Mode) throws -> PriceRate {
        let key = "\(model.rawValue)/\(mode.rawValue)"
        guard let r = render[key] else { throw Problem.noRate(provider: provider, model: key) }
        return r
    }

    /// Billed seconds: the prepared clip's length rounded half up to whole seconds.
    public static func billedSeconds(_ duration: Double) -> Int { Int((duration + 0.5).rounded(.down)) }
}
