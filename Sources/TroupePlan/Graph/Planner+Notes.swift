import TroupeManifest

extension Planner {
    // MARK: - Identical inputs (notes, not errors: sharing is right, but maybe not meant)

    /// Two characters whose images are the same bytes.
    mutating func noteSameImages(_ images: [MediaInput?]) {
        var first: [String: Int] = [:]
        for (c, image) in images.enumerated() {
            guard let sha = image?.sha256 else { continue }
            guard let f = first[sha] else { first[sha] = c; continue }
            let a = manifest.characters[f], b = manifest.characters[c]
            diagnostics.append(Diagnostic(
                file: manifest.path, at: b.imageMark, severity: .note, code: "same-content",
                message: "character '\(b.name)' has the same image as '\(a.name)' (identical bytes)",
                hint: "cells that differ only in these characters are one render, paid once; use another image if you meant two looks",
                related: [.init(file: manifest.path, at: a.imageMark,
                                message: "'\(a.name)' uses the same image here")]))
        }
    }

    /// Two clips that prepare to the same bytes (same source, trim and conform).
    mutating func noteSameClips(_ clipKey: [String]) {
        var first: [String: Int] = [:]
        for (k, key) in clipKey.enumerated() where !key.isEmpty {
            guard let f = first[key] else { first[key] = k; continue }
            let a = manifest.clips[f], b = manifest.clips[k]
            diagnostics.append(Diagnostic(
                file: manifest.path, at: b.videoMark, severity: .note, code: "same-content",
                message: "clip '\(b.name)' is the same video as '\(a.name)' (identical bytes\(b.trim == nil ? "" : " and trim"))",
                hint: "cells that differ only in these clips are one render, paid once; trim it differently or use another take if you meant two",
                related: [.init(file: manifest.path, at: a.videoMark,
                                message: "'\(a.name)' uses the same video here")]))
        }
    }

    /// Cells that share a render, at the block of each later cell; a long list is cut short.
    mutating func noteSharedRenders() {
        let limit = 10
        var noted = 0, more = 0
        for job in jobs where job.kind == .render && job.cells.count > 1 {
            guard case .render(_, _, let firstBlock, _) = job.subject else { continue }
            for cell in job.cells.dropFirst() {
                guard noted < limit else { more += 1; continue }
                noted += 1
                let block = blockMark(ofCell: cell) ?? manifest.renders[firstBlock].mark
                let origin = manifest.renders[firstBlock].mark
                // The other cell's block, when it is another one.
                let related: [Diagnostic.Related] = origin == block ? []
                    : [.init(file: manifest.path, at: origin, message: "'\(job.name)' is rendered by this block")]
                diagnostics.append(Diagnostic(
                    file: manifest.path, at: block, severity: .note, code: "shared-render",
                    message: "cell '\(cell)' has the same inputs and settings as '\(job.name)': one render, paid once, exported to both",
                    hint: "to get two different takes, give one of them another prompt (`with: {prompt: …}` in its own block)",
                    related: related))
            }
        }
        if more > 0 {
            diagnostics.append(Diagnostic(file: manifest.path, at: manifest.renders[0].mark, severity: .note, code: "shared-render",
                                          message: "\(more) more cell(s) share a render with another cell (`troupe plan --json` lists them as `cells`)"))
        }
    }

    func blockMark(ofCell cell: String) -> Mark? {
        guard let slash = cell.firstIndex(of: "/") else { return nil }
        let ch = cell[..<slash], cl = cell[cell.index(after: slash)...]
        guard let c = manifest.characters.firstIndex(where: { $0.name == ch }),
              let k = manifest.clips.firstIndex(where: { $0.name == cl }) else { return nil }
        return matrix.block(character: c, clip: k).map { manifest.renders[$0].mark }
    }
}
