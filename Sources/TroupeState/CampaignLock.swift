import Foundation

/// One command that changes state at a time per state folder (`.troupe/`): `run` and `gc`
/// hold an advisory lock (flock) on `.troupe/lock` while they work; commands that only read
/// (`plan`, `status`, `verify`) never take it. The kernel drops it when the holder dies, so a
/// killed run never leaves the campaign locked.
public final class CampaignLock: @unchecked Sendable {
    private let fd: Int32

    /// Who holds the lock, as the holder wrote it.
    public struct Busy: Error, CustomStringConvertible {
        public var path: String
        public var holder: String
        public var description: String {
            "another troupe command is using \((path as NSString).deletingLastPathComponent)/ (\(holder.isEmpty ? "pid unknown" : holder))"
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Takes the lock of `stateDirectory`, creating the folder if needed. `wait`: block until
    /// the holder is done; otherwise throw `Busy` at once.
    public init(stateDirectory: String, command: String, wait: Bool = false) throws {
        if mkdir(stateDirectory, 0o755) != 0, errno != EEXIST {
            throw Failure(description: "cannot create \(stateDirectory): \(String(cString: strerror(errno)))")
        }
        let path = stateDirectory + "/lock"
        // O_NOFOLLOW: a symlink planted at this name is refused, not followed.
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else { throw Failure(description: "cannot open \(path): \(String(cString: strerror(errno)))") }
        while flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0 {
            if errno == EINTR { continue }
            let busy = errno == EWOULDBLOCK
            let reason = String(cString: strerror(errno))
            let holder = Self.readHolder(fd)
            close(fd)
            if busy { throw Busy(path: path, holder: holder) }
            throw Failure(description: "cannot lock \(path): \(reason)")
        }
        self.fd = fd
        // Who holds it, for the message a second command prints.
        let text = "pid \(getpid()), troupe \(command)\n"
        ftruncate(fd, 0)
        _ = text.withCString { pwrite(fd, $0, strlen($0), 0) }
    }

    deinit {
        ftruncate(fd, 0)
        flock(fd, LOCK_UN)
        close(fd)
    }

    private static func readHolder(_ fd: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = pread(fd, &buffer, buffer.count, 0)
        guard n > 0 else { return "" }
        return String(decoding: buffer[..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
