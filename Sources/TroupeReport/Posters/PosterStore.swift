import Dispatch
import Foundation
import TroupeMedia
import TroupePlan
import TroupeSupport

/// Makes the page's pictures in-process (TroupeMedia decodes one frame per render) and keeps
/// them in `.troupe/posters/` by content key, so a second report only makes what is new.
/// Each is written atomically (a temp file, flushed, renamed: `AtomicFile.Batch` flushes them
/// all at once). The report folder gets hard links to them (copies across file systems).
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
        // Frames first, on every core, flushed together; then the strips made of them.
        let frames = missing.filter(\.isFrame), strips = missing.filter { !$0.isFrame }
        let batch = AtomicFile.Batch()
        DispatchQueue.concurrentPerform(iterations: frames.count) { i in
            let request = frames[i]
            guard case .frame(let source, let at) = request.source else { return }
            do {
                let jpeg = try MediaStills.posterJPEG(source, near: at, width: request.width)
                try batch.stage(jpeg, as: cache + "/" + request.name)
            } catch {
                failures.add(request.name, "\(error)")
            }
        }
        try batch.commit()
        DispatchQueue.concurrentPerform(iterations: strips.count) { i in
            guard case .strip(let posters) = strips[i].source else { return }
            do {
                try MediaStills.contactSheet(posters.map { cache + "/" + $0 }, to: cache + "/" + strips[i].name,
                                             columns: posters.count, cellWidth: strips[i].width)
            } catch {
                failures.add(strips[i].name, "\(error)")
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
