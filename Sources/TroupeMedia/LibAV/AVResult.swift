internal import CFFmpeg

/// FFmpeg's error codes as text.
enum AVResult {
    static func message(_ code: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: 128)
        let text = buffer.withUnsafeMutableBufferPointer { buf in
            String(cString: troupe_av_err2str(code, buf.baseAddress, buf.count))
        }
        return text
    }

    static var eof: Int32 { TROUPE_AVERROR_EOF }
    static var again: Int32 { TROUPE_AVERROR_EAGAIN }
    static var exit: Int32 { TROUPE_AVERROR_EXIT }
}

/// Throws `make(message)` when an FFmpeg call returned a negative code.
@discardableResult
func check(_ code: Int32, _ make: (String) -> MediaError) throws(MediaError) -> Int32 {
    if code < 0 { throw make(AVResult.message(code)) }
    return code
}

/// FFmpeg logs to stderr by default; troupe reports through `MediaError` instead.
enum LibAVLog {
    static let quiet: Void = { av_log_set_level(AV_LOG_QUIET) }()
}
