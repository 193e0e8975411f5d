import Foundation
import TroupeSupport
import TroupePlan

/// File-system errors as people read them: the path and the cause in words (read-only, no
/// space, permission, not a regular file), never a Foundation error dump such as
/// `NSCocoaErrorDomain Code=642`.
enum FileErrors {
    struct Plain: Error, CustomStringConvertible {
        var description: String
    }

    /// The error in plain words when it is a file-system error; otherwise its own description.
    static func plain(_ error: any Error) -> String {
        let ns = error as NSError
        guard ns.domain == NSCocoaErrorDomain || ns.domain == NSPOSIXErrorDomain else { return "\(error)" }
        let path = (ns.userInfo[NSFilePathErrorKey] as? String) ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path
        var code: Int32?
        if ns.domain == NSPOSIXErrorDomain { code = Int32(ns.code) }
        // On Linux the underlying error may be a Swift error (POSIXError) rather than an NSError.
        if let underlying = (ns.userInfo[NSUnderlyingErrorKey] as? any Error).map({ $0 as NSError }), underlying.domain == NSPOSIXErrorDomain {
            code = Int32(underlying.code)
        }
        let cause: String
        if let code {
            cause = ProjectFolder.cause(code)
        } else {
            switch ns.code {
            case NSFileWriteVolumeReadOnlyError: cause = ProjectFolder.cause(EROFS)
            case NSFileWriteOutOfSpaceError: cause = ProjectFolder.cause(ENOSPC)
            case NSFileWriteNoPermissionError, NSFileReadNoPermissionError: cause = ProjectFolder.cause(EACCES)
            case NSFileNoSuchFileError, NSFileReadNoSuchFileError: cause = "no such file or folder"
            case NSFileWriteFileExistsError: cause = "something is in the way (a file where a folder should be, or the reverse)"
            default: cause = ns.localizedDescription
            }
        }
        return path.map { "\($0): \(cause)" } ?? cause
    }

    /// `error` as the CLI prints it: file-system errors translated, the rest as they are
    /// (ExitCode, CleanExit and parse errors keep their meaning).
    static func translated(_ error: any Error) -> any Error {
        let ns = error as NSError
        guard ns.domain == NSCocoaErrorDomain || ns.domain == NSPOSIXErrorDomain else { return error }
        return Plain(description: plain(error))
    }
}
