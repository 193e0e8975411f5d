extension ReportHTML {
    /// The outputs: a player each, its filmstrip and the renders it plays, in order.
    static func reels(_ page: ReportPage) -> String {
        guard !page.reels.isEmpty else { return "" }
        var out = "<section aria-labelledby=\"reels-h\">\n<h2 id=\"reels-h\">Outputs</h2>\n<div class=\"reels\">\n"
        for reel in page.reels {
            let name = HTML.escape(reel.name)
            out += "<article class=\"reel\" data-reel=\"\(name)\" data-status=\"\(reel.video == nil ? "new" : "done")\">\n<h3>\(name)</h3>\n"
            if let video = reel.video {
                let poster = reel.renders.first.flatMap { page.cellByID($0)?.poster }
                out += "<video controls preload=\"none\" src=\"\(HTML.href(video))\""
                if let poster { out += " poster=\"\(HTML.href(poster))\"" }
                out += " aria-label=\"\(HTML.escape("output \(reel.name)"))\"></video>\n"
            } else {
                out += "<p class=\"placeholder-text\">not rendered yet: <code>troupe run</code> makes it once its renders are done</p>\n"
            }
            if let strip = reel.filmstrip {
                out += "<img class=\"strip\" src=\"\(HTML.href(strip))\" alt=\"\(HTML.escape("filmstrip of \(reel.name): \(reel.renders.joined(separator: ", "))"))\" loading=\"lazy\" decoding=\"async\">\n"
            }
            // A long reel's list starts folded: fifty reels of fifty renders would bury the charts.
            out += "<details class=\"renders\"\(reel.renders.count <= 8 ? " open" : "")><summary>\(reel.renders.count) render\(reel.renders.count == 1 ? "" : "s") in order</summary><ol>"
            for id in reel.renders { out += "<li><a href=\"#cell-\(HTML.escape(id))\">\(HTML.escape(id))</a></li>" }
            out += "</ol></details>\n</article>\n"
        }
        return out + "</div>\n</section>\n"
    }

    /// Spend by character and by clip, as bars drawn here (inline SVG).
    static func charts(_ page: ReportPage) -> String {
        var out = "<section aria-labelledby=\"spend-h\">\n<h2 id=\"spend-h\">Spend <small>in \(HTML.escape(page.chartUnit))</small></h2>\n"
        out += "<p class=\"key\"><span class=\"swatch done\"></span> done <span class=\"swatch todo\"></span> still to render</p>\n"
        out += "<div class=\"charts\">\n"
        out += BarChart(title: "By character", bars: page.spendByCharacter).svg
        out += BarChart(title: "By clip", bars: page.spendByClip).svg
        return out + "</div>\n</section>\n"
    }
}

extension ReportPage {
    func cellByID(_ id: String) -> ReportCell? {
        guard let slash = id.firstIndex(of: "/") else { return nil }
        return cell(character: String(id[..<slash]), clip: String(id[id.index(after: slash)...]))
    }
}
