import Dispatch
import Foundation
import TroupeMedia
import TroupePlan

/// Makes the page's pictures in-process (TroupeMedia decodes one frame per render) and keeps
/// them in `.troupe/posters/` by content key, so a second report only makes what is new.
/// The report folder gets hard links to them (copies across file systems).
public struct PosterStore: Sendable {
    public let cacheDirectory: String

    public struct Outcome: Sendable {
        public var made = 0
        public var reused = 0
        /// Poster file name → why it could not be made (the page then shows the cell without it).
        public var failed: [String: String] = [:]
    }

    public init(stateDirectory: String) {
        cacheDirectory = stateDirectory + "/posters"
    }

    /// Makes what the cache lacks, on every core, then links every picture into `folder/posters/`
    /// and removes pictures there that the page no longer uses.
    public func provide(_ requests: [PosterRequest], into folder: String) throws -> Outcome {
        try AtomicFile.makeFolder(cacheDirectory)
        let missing = requests.filter { !FileManager.default.fileExists(atPath: cacheDirectory + "/" + $0.name) }
        let failures = Failures()
        let cache = cacheDirectory
        // Frames first, then the strips made of them.
        for phase in [missing.filter(\.isFrame), missing.filter { !$0.isFrame }] {
            DispatchQueue.concurrentPerform(iterations: phase.count) { i in
                let request = phase[i]
                do { try Self.make(request, at: cache + "/" + request.name, cache: cache) } catch {
                    failures.add(request.name, "\(error)")
                }
            }
        }
        var outcome = Outcome()
        outcome.failed = failures.all
        outcome.made = missing.count - outcome.failed.count
        outcome.reused = requests.count - missing.count

        let target = folder + "/posters"
        try AtomicFile.makeFolder(target)
        let present = Set((try? FileManager.default.contentsOfDirectory(atPath: target)) ?? [])
        var wanted = Set<String>()
        for request in requests where outcome.failed[request.name] == nil {
            wanted.insert(request.name)
            // Names are content keys: a picture already there is the right one.
            guard !present.contains(request.name) else { continue }
            let source = cacheDirectory + "/" + request.name, link = target + "/" + request.name
            if Foundation.link(source, link) != 0 { try AtomicFile.copy(source, to: link) }
        }
        for stale in present.subtracting(wanted) where stale.hasSuffix(".jpg") {
            try? FileManager.default.removeItem(atPath: target + "/" + stale)
        }
        return outcome
    }

    /// One picture, written atomically by the media engine (temp file, fsync, rename).
    static func make(_ request: PosterRequest, at path: String, cache: String) throws {
        switch request.source {
        case .frame(let source, let at):
            try MediaStills.poster(source, near: at, to: path, width: request.width)
        case .strip(let posters):
            try MediaStills.contactSheet(posters.map { cache + "/" + $0 }, to: path, columns: posters.count,
                                         cellWidth: request.width)
        }
    }
}

extension PosterRequest {
    var isFrame: Bool { if case .frame = source { true } else { false } }
}

/// Failures collected from the extraction threads.
private final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var byName: [String: String] = [:]

    func add(_ name: String, _ reason: String) { lock.withLock { byName[name] = reason } }
    var all: [String: String] { lock.withLock { byName } }
}
