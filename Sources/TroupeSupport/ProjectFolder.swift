import Foundation

/// The folder a campaign lives in (its manifest's folder), and the one rule for what troupe
/// writes there: every file it writes, links, renames or deletes for the campaign (exports
/// under out/, the lock, `.troupe/`, the report and its posters) is inside this folder, reached
/// without following a symlink. A repository troupe did not write can hold a symlink named
/// `out`, `out/renders/mochi` or `.troupe` that points at someone's work; a write through it
/// would replace files there. So each folder on the way is opened from the one above with
/// `O_NOFOLLOW | O_DIRECTORY` (made with `mkdirat` when missing), and a symlink is an error
/// naming it — except `out` itself when the studio asked for it (`--allow-symlinked-out`).
///
/// Checked before each write, by name: a symlink planted between the check and the write by
/// another process racing troupe is out of scope (that process could write there itself).
public struct ProjectFolder: Sendable {
    /// The manifest's folder, as given (it may itself be reached through a symlink: the
    /// user chose it).
    public let root: String
    /// The one folder directly under the root that may be a symlink (`out`), or nil.
    public var symlinkAllowed: String?

    public init(root: String, symlinkAllowed: String? = nil) {
        self.root = root.isEmpty ? "." : root
        self.symlinkAllowed = symlinkAllowed
    }

    /// The project of a state folder (`…/.troupe`): its parent.
    public init(stateDirectory: String) {
        self.init(root: (stateDirectory as NSString).deletingLastPathComponent)
    }

    /// Why a path cannot be written: a symlink on the way, a path outside the project, or the
    /// file system's refusal, each with what to do.
    public struct Refused: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "\(path): \(reason)" }
    }

    /// Checks that `path` (absolute, or relative to the working folder, under `root`) can be
    /// written without leaving the project: every folder from the root down to its parent is a
    /// real folder (made when missing, if `createFolders`), and the file itself, if it exists,
    /// is not a symlink. Returns the path unchanged, so a call site can wrap it.
    ///
    /// A folder found real is remembered for the rest of the process (10,000 exports go to a
    /// few hundred folders): later writes into it check only the file itself.
    @discardableResult
    public func checkWritable(_ path: String, createFolders: Bool = true) throws -> String {
        let components = try relativeComponents(of: path)
        guard !components.isEmpty else { throw Refused(path: path, reason: "is the project folder itself, not a file in it") }
        let folder = Self.join(root, components.dropLast()) + "\u{0}" + (symlinkAllowed ?? "")
        var st = stat()
        if Self.checkedFolders.withLock({ $0.contains(folder) }) {
            if lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFLNK { throw symlinkRefusal(Array(components), at: components.count - 1) }
            return path
        }
        let fd = try openFolder(components.dropLast(), create: createFolders)
        defer { close(fd) }
        if fstatat(fd, components.last!, &st, AT_SYMLINK_NOFOLLOW) == 0, (st.st_mode & S_IFMT) == S_IFLNK {
            throw symlinkRefusal(Array(components), at: components.count - 1)
        }
        _ = Self.checkedFolders.withLock { $0.insert(folder) }
        return path
    }

    /// Folders walked and found real by this process (with the symlink it was allowed).
    private static let checkedFolders = Locked(Set<String>())

    /// Checks that the folder `path` (under `root`) and every folder above it are real
    /// folders, making the missing ones when `create`.
    public func checkFolder(_ path: String, create: Bool = true) throws {
        let fd = try openFolder(try relativeComponents(of: path)[...], create: create)
        close(fd)
    }

    /// Opens the folder `path` (under `root`) for `*at` calls, checked as `checkFolder`; the
    /// caller closes it. A missing folder is nil when not `create`.
    public func openFolder(_ path: String, create: Bool) throws -> Int32? {
        do {
            return try openFolder(try relativeComponents(of: path)[...], create: create)
        } catch let refused as Refused where !create && refused.reason.hasPrefix("does not exist") {
            return nil
        }
    }

    /// The path's components below the root; `..` and paths elsewhere are refused.
    func relativeComponents(of path: String) throws -> [String] {
        if let parts = Self.components(of: path, under: root) { return parts }
        // The same places written differently (`./`, `a/../`): compared standardized.
        let standard = { (p: String) in URL(fileURLWithPath: p).standardizedFileURL.path }
        if let parts = Self.components(of: standard(path), under: standard(root)) { return parts }
        throw Refused(path: path, reason: "is outside the project folder \(root); troupe writes only inside the manifest's folder")
    }

    private static func components(of path: String, under root: String) -> [String]? {
        let base = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
        var rest: Substring
        if path == base {
            rest = ""
        } else if path.hasPrefix(base + "/") {
            rest = path.dropFirst(base.count + 1)
        } else if base == ".", !path.hasPrefix("/") {
            rest = path[...]
        } else {
            return nil
        }
        let parts = rest.split(separator: "/").map(String.init).filter { $0 != "." }
        return parts.contains("..") ? nil : parts
    }

    /// Walks from the root to the folder `components` names, one `openat` per folder.
    private func openFolder(_ components: ArraySlice<String>, create: Bool) throws -> Int32 {
        var fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw Refused(path: root, reason: Self.cause(errno)) }
        let all = Array(components)
        for (i, name) in all.enumerated() {
            var next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if next < 0, errno == ENOENT, create {
                if mkdirat(fd, name, 0o755) != 0, errno != EEXIST {
                    let e = errno
                    close(fd)
                    throw Refused(path: Self.join(root, all[...i]), reason: "cannot create this folder: \(Self.cause(e))")
                }
                next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            }
            if next < 0 {
                let e = errno
                var st = stat()
                let isLink = fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && (st.st_mode & S_IFMT) == S_IFLNK
                if isLink, i == 0, name == symlinkAllowed {
                    // Allowed by the user: followed, and only this one.
                    next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                }
                if next < 0 {
                    close(fd)
                    if isLink { throw symlinkRefusal(all, at: i) }
                    if e == ENOENT { throw Refused(path: Self.join(root, all[...i]), reason: "does not exist") }
                    if e == ENOTDIR { throw Refused(path: Self.join(root, all[...i]), reason: "is not a folder; move it away so troupe can make the folder") }
                    throw Refused(path: Self.join(root, all[...i]), reason: Self.cause(e))
                }
            }
            close(fd)
            fd = next
        }
        return fd
    }

    private func symlinkRefusal(_ components: [String], at i: Int) -> Refused {
        let path = Self.join(root, components[...i])
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink(path, &buffer, buffer.count - 1)
        let target = n > 0 ? String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : "?"
        var what = "is a symlink (to \(target)); troupe writes only inside the project folder and never through a symlink"
        if i == 0, components[0] == "out" {
            what += ": remove it (troupe makes out/ itself), or pass --allow-symlinked-out if out/ is meant to be on another drive"
        } else {
            what += ": remove it (rm '\(path)'), troupe makes the folder itself"
        }
        return Refused(path: path, reason: what)
    }

    private static func join(_ root: String, _ parts: ArraySlice<String>) -> String {
        (root == "." ? "" : root + "/") + parts.joined(separator: "/")
    }

    /// A file-system error in plain words.
    public static func cause(_ code: Int32) -> String {
        switch code {
        case EROFS: "the file system is read-only"
        case EACCES, EPERM: "permission denied (check the folder's owner and mode)"
        case ENOSPC: "no space left on the device; free some (troupe gc drops unused cache objects)"
        case EDQUOT: "the disk quota is exhausted"
        case ENOTDIR: "a part of the path is not a folder"
        case EISDIR: "it is a folder, not a file"
        case ELOOP: "a symlink on the way (troupe does not follow them here)"
        default: String(cString: strerror(code))
        }
    }
}
