import Foundation
import TroupeSupport

/// The manifest's own price overrides.
extension ManifestDecoder {
    mutating func decodePricing(_ node: Node) -> PricingOverride? {
        guard let f = reader.fields(node, "pricing", allowed: ManifestKeys.pricing) else { return nil }
        var p = PricingOverride(unit: nil, render: [:], element: nil, mark: node.mark)
        if let v = f["unit"], let u = reader.string(v, "pricing.unit") { p.unit = u.value }
        if let v = f["element"] { p.element = decodeRate(v, "pricing.element") }
        if let v = f["render"] {
            for (name, value) in reader.namedEntries(v, "pricing.render") {
                let parts = name.value.split(separator: "/").map(String.init)
                guard parts.count == 2, Model(rawValue: parts[0]) != nil, Mode(rawValue: parts[1]) != nil else {
                    reader.error(name.mark, span: name.span, "invalid-value",
                                 "pricing key '\(name.value)' must be model/mode, e.g. kling-v3/pro",
                                 hint: "models: \(Model.allCases.map(\.rawValue).joined(separator: ", ")); modes: std, pro")
                    continue
                }
                if let rate = decodeRate(value, "pricing.render.\(name.value)") { p.render[name.value] = rate }
            }
        }
        return p
    }

    mutating func decodeRate(_ node: Node, _ path: String) -> PriceRate? {
        guard let f = reader.fields(node, path, allowed: ManifestKeys.rate) else { return nil }
        var r = PriceRate()
        for (key, assign) in [("base", { (r: inout PriceRate, v: Double) in r.base = v }),
                              ("per_second", { (r: inout PriceRate, v: Double) in r.perSecond = v }),
                              ("minimum", { (r: inout PriceRate, v: Double) in r.minimum = v })] {
            guard let v = f[key], let n = reader.number(v, "\(path).\(key)") else { continue }
            if n.value < 0 {
                reader.error(v, "out-of-range", "'\(path).\(key)' must not be negative")
                continue
            }
            assign(&r, n.value)
        }
        return r
    }
}
