import Foundation

/// Names of files written under a temporary name and renamed into place once complete:
/// `.<name>.troupe-tmp.<pid>.<token>` beside the target (the same file system, so the rename
/// is atomic), with the target's extension kept at the end when a writer needs it (FFmpeg
/// picks the container from it). The pid says which process writes it, so a later process
/// can remove the leftovers of one that died (`removeStale`) without touching a live one's.
public enum TemporaryFiles {
    static let marker = ".troupe-tmp."

    /// A fresh temporary path beside `path`.
    public static func path(beside path: String, keepingExtension: Bool = false) -> String {
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        var temp = folder + "." + name + marker + uniqueName()
        if keepingExtension, let dot = name.lastIndex(of: "."), dot != name.startIndex {
            temp += String(name[dot...])
        }
        return temp
    }

    /// `<pid>.<token>`: a name no other temporary file has. The token is a random number drawn
    /// once per process (a killed run's leftovers may carry a reused pid, in a container often
    /// the same one) and a counter, so naming costs no random bytes (a syscall each).
    public static func uniqueName() -> String { UniqueNames.shared.next() }

    /// The pid and token of a temporary file's name; nil for any other name.
    static func owner(ofName name: String) -> (pid: Int32, token: Substring)? {
        guard name.hasPrefix("."), let marker = name.range(of: marker, options: .backwards) else { return nil }
        let parts = name[marker.upperBound...].split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, let pid = Int32(parts[0]), pid > 0, !parts[1].isEmpty else { return nil }
        return (pid, parts[1])
    }

    /// Whether `name` is a temporary file's name (of any process).
    public static func isTemporary(name: String) -> Bool { owner(ofName: name) != nil }

    /// Removes the regular files in `directory` (not below it) that are temporary files of a
    /// process that no longer exists, and returns their paths. A live process's files stay,
    /// and so does a file whose pid now belongs to another live process (kept to be safe).
    @discardableResult
    public static func removeStale(in directory: String) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        var removed: [String] = []
        for name in names {
            guard let owner = owner(ofName: name), !isAlive(owner) else { continue }
            let path = directory + "/" + name
            var st = stat()
            guard lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, unlink(path) == 0 else { continue }
            removed.append(path)
        }
        return removed
    }

    /// A process is alive when signal 0 reaches it or is refused (EPERM: someone else's).
    /// This process's pid with another token is an earlier process that had the same pid.
    static func isAlive(_ owner: (pid: Int32, token: Substring)) -> Bool {
        if owner.pid == getpid() { return UniqueNames.shared.owns(owner.token) }
        return kill(owner.pid, 0) == 0 || errno != ESRCH
    }
}

/// `uniqueName`'s per-process prefix and counter.
private final class UniqueNames: Sendable {
    static let shared = UniqueNames()
    private let pid = getpid()
    private let token = String(UInt32.random(in: 0...UInt32.max), radix: 36)
    private let counter = Locked(0)

    func next() -> String {
        let n = counter.withLock { n in
            n += 1
            return n
        }
        return "\(pid).\(token)-\(n)"
    }

    func owns(_ token: Substring) -> Bool { token.split(separator: "-").first.map(String.init) == self.token }
}
