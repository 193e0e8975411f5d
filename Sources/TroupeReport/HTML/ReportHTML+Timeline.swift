import Foundation
import TroupePlan
import TroupeState
import TroupeSupport

extension ReportHTML {
    /// The last run as a timeline: a bar per job, placed on the run's length and split into
    /// its phases (CSS flex with widths in percent: no script, light enough for thousands of
    /// bars), each with its figures in words for screen readers and on hover; then the
    /// slowest jobs as a table.
    static func timeline(_ page: ReportPage) -> String {
        guard let t = page.timeline, !t.jobs.isEmpty else { return "" }
        let length = max(t.length, 0.001)
        let phases = TimelinePhase.allCases
        var out = "<section id=\"timeline\" aria-labelledby=\"timeline-h\">\n<h2 id=\"timeline-h\">Timeline of the last run <small>"
        out += "started <time datetime=\"\(Figures.isoDate(t.start))\">\(Figures.date(t.start))</time>, "
        out += "\(NumberText.duration(t.length)) long, \(t.jobs.count) job\(t.jobs.count == 1 ? "" : "s")</small></h2>\n"
        out += "<ul class=\"tl-key\" aria-label=\"phases, with the seconds of every job added up\">"
        for (phase, total) in zip(phases, t.totals) {
            out += "<li><span class=\"swatch tl-\(phase.rawValue)\"></span> \(phase.label) <b>\(NumberText.duration(total))</b></li>"
        }
        out += "</ul>\n<div class=\"tl-scroll\" tabindex=\"0\" aria-label=\"the timeline; scrolls\">\n<ol class=\"tl\" data-run-seconds=\"\(NumberText.shortest(t.length, roundedTo: 3))\">\n"
        for job in t.jobs {
            let text = words(job)
            out += "<li data-job=\"\(HTML.escape(job.id))\"><span class=\"tl-id\">\(HTML.escape(job.id))</span><span class=\"tl-track\">"
            out += "<span class=\"tl-bar\" style=\"margin-left:\(percent(job.start / length));width:\(percent(job.span / length))\">"
            for (phase, seconds) in zip(phases, job.phases) where seconds > 0 {
                out += "<i class=\"tl-\(phase.rawValue)\" style=\"flex:\(NumberText.shortest(seconds, roundedTo: 3))\"></i>"
            }
            // Once, for screen readers and as the row's tooltip (CSS), not once for each.
            out += "</span></span><span class=\"tl-words\">\(HTML.escape(text))</span></li>\n"
        }
        out += "</ol>\n</div>\n"
        out += slowest(t)
        return out + "</section>\n"
    }

    /// The ten jobs that took longest, with their phases.
    static func slowest(_ t: RunTimeline) -> String {
        var out = "<h3 id=\"slowest-h\">Slowest jobs</h3>\n<table class=\"slowest\" aria-labelledby=\"slowest-h\">\n<thead><tr><th scope=\"col\">job</th><th scope=\"col\">took</th>"
        for phase in TimelinePhase.allCases { out += "<th scope=\"col\">\(phase.label)</th>" }
        out += "<th scope=\"col\">outcome</th></tr></thead>\n<tbody>\n"
        for job in t.slowest() {
            out += "<tr data-slow=\"\(HTML.escape(job.id))\"><th scope=\"row\">\(HTML.escape(job.id))</th><td>\(NumberText.duration(job.span))</td>"
            for seconds in job.phases { out += "<td>\(NumberText.duration(seconds))</td>" }
            out += "<td>\(HTML.escape(job.outcome))</td></tr>\n"
        }
        return out + "</tbody>\n</table>\n"
    }

    /// A bar in words, after its job's id: `done: 12.3 s from 0.4 s (waiting for a slot 1.2 s, …)`.
    private static func words(_ job: JobTimeline) -> String {
        let parts = zip(TimelinePhase.allCases, job.phases).filter { $0.1 > 0 }.map { "\($0.0.label) \(NumberText.duration($0.1))" }
        return "\(job.outcome): \(NumberText.duration(job.span)) from \(NumberText.duration(job.start)) (\(parts.joined(separator: ", ")))"
    }

    private static func percent(_ x: Double) -> String { NumberText.shortest(min(max(x, 0), 1) * 100, roundedTo: 2) + "%" }

    /// The timeline's style: a colour per phase (the legend and each bar's words name them too).
    static let timelineCSS = """
    :root{--slot:#b9b9c3;--provider:#1c5fb8;--download:#0f8a8a;--post:#8b4fb8}
    @media (prefers-color-scheme:dark){:root{--slot:#55555f;--provider:#8ab4f8;--download:#4fd1c5;--post:#c79bf2}}
    .tl-key{list-style:none;display:flex;flex-wrap:wrap;gap:16px;padding:0;margin:0 24px 8px;color:var(--muted)}
    .tl-key b{color:var(--fg);font-weight:600}
    .tl-slot{background:var(--slot)}.tl-provider{background:var(--provider)}.tl-download{background:var(--download)}.tl-post{background:var(--post)}
    .tl-scroll{overflow:auto;max-height:60vh;margin:0 24px;border:1px solid var(--line);background:var(--card)}
    .tl{list-style:none;margin:0;padding:4px 8px}.tl li{display:flex;align-items:center;gap:8px;height:14px;position:relative}
    .tl-words{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
    .tl li:hover .tl-words{width:auto;height:auto;clip:auto;left:208px;top:14px;z-index:1;padding:2px 6px;font-size:12px;
    background:var(--card);border:1px solid var(--line);border-radius:3px}
    .tl-id{flex:0 0 200px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;font-size:11px;color:var(--muted)}
    .tl-track{flex:1;min-width:300px}.tl-bar{display:flex;height:10px;min-width:1px}.tl-bar i{display:block;height:100%;min-width:0}
    h3{font-size:15px;margin:16px 24px 8px}
    table.slowest{margin:0 24px;border-collapse:collapse;font-size:13px}
    .slowest th,.slowest td{width:auto;min-width:0;border-left:0;border-bottom:1px solid var(--line);padding:3px 10px;text-align:right}.slowest th[scope=row],.slowest th:first-child{text-align:left}
    """
}
