import Foundation
import TroupeManifest
import TroupePlan

extension Executor {
    /// Whether an output's export is in out/: its cache object's inode, or (a copy on another
    /// file system) a regular file of its size — a stat, not a hash: the lock is written now and
    /// then during a run. The lock lists an output only once this holds, so a run stopped
    /// between a post-step and its export leaves no entry for a file that is not there.
    func outputExported(_ output: String, sha: String?) -> Bool {
        guard let sha else { return false }
        let path = baseDirectory + "/" + plan.outputFolder + "/" + output + ".mp4"
        guard let there = FileStats.statNow(path), there.isRegularFile else { return false }
        guard let object = FileStats.statNow(cache.path(of: sha)) else { return true }
        return there.inode == object.inode && there.device == object.device || there.size == object.size
    }
}
