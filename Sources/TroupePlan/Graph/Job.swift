public import TroupeManifest

public enum JobKind: String, Sendable, Codable, CaseIterable {
    case prepare, upload, element, render, post, export

    /// Kinds the provider may charge for.
    public var isPaid: Bool { self == .render || self == .element }
}

/// What `run` will do with a job, from the lock and the state store it reads: `new` runs (a
/// paid one is created and paid for); `cached` was finished by an earlier run, its result in
/// the cache; `locked` is recorded in the lock; `inFlight` was created by an earlier run that
/// stopped (run waits for it, paying nothing new); `failed` failed in an earlier run (run
/// pays again only with --reroll); `inDoubt` was submitted to a provider without idempotency
/// keys (fal) and its answer lost: it may have been paid, and run sends it again only with
/// --retry-in-doubt. Only `new` paid jobs count toward what is still to spend.
public enum JobStatus: String, Sendable, Codable, CaseIterable {
    case new, cached, locked
    case inFlight = "in_flight"
    case failed
    case inDoubt = "in_doubt"
}

/// A medium a job reads: a local file (resolved path) or a URL.
public struct MediaInput: Sendable, Hashable {
    public var source: MediaSource
    public var sha256: String

    public init(source: MediaSource, sha256: String) {
        self.source = source
        self.sha256 = sha256
    }
}

/// What a job works on, for the executor.
public enum JobSubject: Sendable {
    /// Trim and/or conform a clip.
    case prepare(clip: Int, source: MediaInput, trim: ClosedRange<Double>?, conform: Bool)
    /// Upload a local file (or a prepared clip, from the job it depends on).
    case upload(MediaInput?, fromJob: Int?)
    case element(Int)
    case render(character: Int, clip: Int, block: Int, settings: RenderSettings)
    case post(output: Int)
    /// Copy a render's or output's result to `path` (relative to the manifest's folder).
    case export(path: String)
}

/// What a dependency is to the job that needs it, so the executor finds a render's image by
/// its role, not by how the planner spells job ids.
public enum InputRole: String, Sendable {
    /// A character's image (its upload, for a remote provider).
    case image
    /// The clip a render follows: its prepared copy or its upload.
    case clip
    /// The element a character names, made from a reference video.
    case element
    /// The reference video an element is made from (its upload).
    case video
    /// What an upload sends or an export copies.
    case source
    /// One of a post-step's inputs, in order.
    case input
}

public struct Job: Sendable {
    /// Human id, unique in the plan: `render:mochi/wave`, `post:reel`, `export:out/reel.mp4`.
    public var id: String
    public var kind: JobKind
    /// Content key (SHA-256 hex).
    public var key: String
    /// Indices into `Plan.jobs`.
    public var deps: [Int]
    /// The role of each of `deps`, position by position.
    public var roles: [InputRole] = []
    public var subject: JobSubject
    /// Price in the plan's unit (0 for free jobs).
    public var units: Double = 0
    /// Billed seconds of a render.
    public var seconds: Int?
    /// What official Kling would charge, shown beside free preview renders.
    public var klingUnits: Double = 0
    public var status: JobStatus = .new
    /// Every name this job stands for when identical inputs gave several the same key (render
    /// ids, element or output names), its own first; empty when it stands for one. DESIGN §3:
    /// one node per key, so the shared render is created and paid once.
    public var cells: [String] = []
    /// A deliverable's preset name (or `WxH`) and planned seconds, end card included.
    public var platform: String?
    public var duration: Double?
    /// Set on a post job that makes a still of its input (a deliverable's poster or GIF).
    public var still: Still?

    /// The id without its kind: `mochi/wave` for `render:mochi/wave` (the lock's entry name,
    /// what `--only` and `--reroll` match).
    public var name: String {
        guard let colon = id.firstIndex(of: ":") else { return id }
        return String(id[id.index(after: colon)...])
    }

    /// The names this job stands for: `cells`, or its own name.
    public var names: [String] { cells.isEmpty ? [name] : cells }

    /// The position in `deps` of the dependency with this role (the first, for `.input`).
    public func dependency(_ role: InputRole) -> Int? { roles.firstIndex(of: role) }
}

/// What a still-making post job writes from the deliverable it depends on.
public enum Still: Sendable, Equatable {
    /// The JPEG picture at `seconds`.
    case poster(seconds: Double)
    /// A GIF of `from`…`to` seconds, `width` pixels wide, at `fps`.
    case gif(width: Int, fps: Int, from: Double, to: Double)

    public var fileExtension: String {
        switch self {
        case .poster: "jpg"
        case .gif: "gif"
        }
    }
}

extension Job {
    /// Whether one of the job's names (the cells that share it) matches one of the globs
    /// (`--only`, `--reroll`, `--retry-in-doubt`).
    public func isNamed(byAnyOf patterns: [String]) -> Bool {
        names.contains { name in patterns.contains { Glob.matches($0, name) } }
    }
}
