import Foundation

extension AtomicFile {
    /// mkdir -p, with one plain mkdir when the parent exists (FileManager's costs more than a
    /// small file's write).
    public static func makeFolder(_ dir: String) throws(WriteError) {
        let dir = dir.isEmpty ? "." : dir
        if mkdir(dir, 0o755) == 0 || errno == EEXIST { return }
        do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
            throw WriteError(path: dir, reason: "\(error.localizedDescription)")
        }
    }

    /// `makeFolder`, once per folder per process: a run asks for its temp folder once per job.
    public static func makeFolderOnce(_ dir: String) throws(WriteError) {
        if madeFolders.withLock({ $0.contains(dir) }) { return }
        try makeFolder(dir)
        _ = madeFolders.withLock { $0.insert(dir) }
    }

    /// Folders this process has made or found.
    private static let madeFolders = Locked(Set<String>())
}
