import TroupeSupport

extension ReportHTML {
    /// The deliverables, one group per platform: a player each (its poster shown until it
    /// plays; nothing loads before), its picture size, length and file size, its own poster
    /// JPEG and its GIF.
    static func deliverables(_ page: ReportPage) -> String {
        guard !page.deliverables.isEmpty else { return "" }
        let count = page.allDeliverables.count
        var out = "<section id=\"deliverables\" aria-labelledby=\"deliverables-h\">\n<h2 id=\"deliverables-h\">Deliverables "
        out += "<small>\(count) file\(count == 1 ? "" : "s") for \(page.deliverables.count) platform\(page.deliverables.count == 1 ? "" : "s")</small></h2>\n"
        for group in page.deliverables {
            let p = HTML.escape(group.platform)
            out += "<section class=\"platform\" data-platform=\"\(p)\" aria-labelledby=\"platform-\(p)\">\n"
            out += "<h3 id=\"platform-\(p)\">\(p) <small>\(group.width)×\(group.height)</small></h3>\n<div class=\"deliverables\">\n"
            for d in group.items { out += deliverable(d) }
            out += "</div>\n</section>\n"
        }
        return out + "</section>\n"
    }

    static func deliverable(_ d: ReportPage.Deliverable) -> String {
        let name = HTML.escape(d.name)
        var out = "<article class=\"deliverable\" data-deliverable=\"\(name)\" data-status=\"\(d.status.rawValue)\">\n<h4>\(name)</h4>\n"
        if let video = d.video {
            out += "<video controls preload=\"none\" src=\"\(HTML.href(video))\""
            if let poster = d.poster { out += " poster=\"\(HTML.href(poster))\"" }
            out += " width=\"\(d.width)\" height=\"\(d.height)\" aria-label=\"\(HTML.escape("deliverable \(d.name)"))\"></video>\n"
        } else if d.status == .failed {
            out += "<p class=\"reason\">\(HTML.escape(d.reason ?? "failed"))</p>\n"
        } else {
            out += "<p class=\"placeholder-text\">not made yet: <code>troupe run</code> makes it once its renders are done</p>\n"
        }
        var facts = ["\(d.width)×\(d.height)"]
        if let s = d.seconds { facts.append(Figures.seconds(s)) }
        if let b = d.bytes { facts.append(Self.bytes(b)) }
        out += "<p class=\"meta\"><span class=\"glyph\" aria-hidden=\"true\">\(glyph(d.status))</span> \(d.status.label) · \(facts.joined(separator: " · "))</p>\n"
        var links: [String] = []
        if let video = d.video { links.append("<a href=\"\(HTML.href(video))\" download>MP4</a>") }
        if let jpg = d.posterFile { links.append("<a href=\"\(HTML.href(jpg))\" data-file=\"poster\">poster (JPEG)</a>") }
        if let gif = d.gif { links.append("<a href=\"\(HTML.href(gif))\" data-file=\"gif\">GIF</a>") }
        if !links.isEmpty { out += "<p class=\"files\">\(links.joined(separator: " · "))</p>\n" }
        if let gif = d.gif {
            // Folded: a lazy image in a closed <details> loads only when it is opened.
            out += "<details class=\"gif\"><summary>show the GIF</summary><img src=\"\(HTML.href(gif))\" alt=\"\(HTML.escape("GIF of \(d.name)"))\" loading=\"lazy\" decoding=\"async\"></details>\n"
        }
        return out + "</article>\n"
    }

    /// 512 B, 3.4 KB, 41 MB (powers of 1,000).
    static func bytes(_ n: Int) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var v = Double(n), i = 0
        while v >= 1000, i < units.count - 1 { v /= 1000; i += 1 }
        return i == 0 ? "\(n) B" : NumberText.shortest(v, roundedTo: 1) + " " + units[i]
    }
}
