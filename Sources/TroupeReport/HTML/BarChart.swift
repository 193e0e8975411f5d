import TroupePlan

/// A horizontal bar chart as inline SVG: one row per name, the done part solid and the part
/// still to render hatched, each row labelled with its figures so it reads without colour.
struct BarChart {
    var title: String
    var bars: [ReportPage.Bar]

    static let labelWidth = 120.0, barWidth = 260.0, valueWidth = 120.0, row = 20.0

    var svg: String {
        let width = Self.labelWidth + Self.barWidth + Self.valueWidth
        let height = Double(bars.count) * Self.row + 28
        let top = bars.map { $0.spent + $0.toSpend }.max() ?? 0
        let scale = top > 0 ? Self.barWidth / top : 0
        let id = "chart-" + title.lowercased().replacingOccurrences(of: " ", with: "-")
        var out = "<figure class=\"chart\"><svg role=\"img\" aria-labelledby=\"\(id)\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"\(Int(width))\" height=\"\(Int(height))\">"
        out += "<title id=\"\(id)\">\(HTML.escape(title))</title>"
        out += "<defs><pattern id=\"\(id)-hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" class=\"todo-bg\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" class=\"todo-line\" stroke-width=\"3\"/></pattern></defs>"
        out += "<text x=\"0\" y=\"16\" class=\"chart-title\">\(HTML.escape(title))</text>"
        for (i, bar) in bars.enumerated() {
            let y = 28 + Double(i) * Self.row
            let done = bar.spent * scale, todo = bar.toSpend * scale
            let total = Units.format(bar.spent + bar.toSpend)
            let label = bar.toSpend > 0 && bar.spent > 0 ? "\(total) (\(Units.format(bar.spent)) done)" : total
            out += "<g class=\"bar\"><title>\(HTML.escape("\(bar.name): \(Units.format(bar.spent)) done, \(Units.format(bar.toSpend)) still to render"))</title>"
            out += "<text x=\"\(Self.labelWidth - 6)\" y=\"\(y + 14)\" text-anchor=\"end\">\(HTML.escape(bar.name))</text>"
            if done > 0 { out += "<rect x=\"\(Self.labelWidth)\" y=\"\(y + 3)\" width=\"\(Units.format(done))\" height=\"14\" class=\"done\"/>" }
            if todo > 0 { out += "<rect x=\"\(Units.format(Self.labelWidth + done))\" y=\"\(y + 3)\" width=\"\(Units.format(todo))\" height=\"14\" fill=\"url(#\(id)-hatch)\" class=\"todo\"/>" }
            out += "<text x=\"\(Units.format(Self.labelWidth + done + todo + 6))\" y=\"\(y + 14)\" class=\"value\">\(label)</text></g>"
        }
        return out + "</svg></figure>\n"
    }

}
