import Foundation
internal import CFFmpeg
import TroupeSupport

/// An output container (AVFormatContext + AVIO) writing to a temp file; `finish()` commits it,
/// deinit without `finish()` deletes the temp so no partial output survives an error.
final class OutputFile {
    let path: String
    private let tempPath: String
    private var ctx: UnsafeMutablePointer<AVFormatContext>?
    private let cancellation: MediaCancellation?
    private var headerWritten = false
    private var finished = false

    /// `format` is the muxer name; by default "mov" for .mov paths and "mp4" otherwise.
    init(path: String, format: String? = nil, cancellation: MediaCancellation? = nil) throws(MediaError) {
        _ = LibAVLog.quiet
        self.path = path
        self.cancellation = cancellation
        tempPath = TemporaryFiles.path(beside: path, keepingExtension: true)
        let muxer = format ?? (path.lowercased().hasSuffix(".mov") ? "mov" : "mp4")
        var made: UnsafeMutablePointer<AVFormatContext>?
        let code = avformat_alloc_output_context2(&made, nil, muxer, tempPath)
        guard code >= 0, let made else { throw .writeFailed(path: path, reason: AVResult.message(code)) }
        ctx = made
        // Bit-exact: no library versions or creation times in the file, so bytes are reproducible.
        made.pointee.flags |= TROUPE_FMT_FLAG_BITEXACT
        var callback = Interrupt.callback(cancellation)
        let opened = avio_open2(&made.pointee.pb, tempPath, AVIO_FLAG_WRITE, &callback, nil)
        guard opened >= 0 else { throw .writeFailed(path: path, reason: AVResult.message(opened)) }
    }

    deinit {
        guard let ctx else { return }
        if !finished {
            avio_closep(&ctx.pointee.pb)
            unlink(tempPath)
        }
        avformat_free_context(ctx)
    }

    private var context: UnsafeMutablePointer<AVFormatContext> { ctx! }

    /// Whether the container chosen for `path` can carry `codec` packets as they are (MP4
    /// cannot hold ProRes, for example), so stream copy is possible.
    static func canHold(_ codec: AVCodecID, path: String) -> Bool {
        let muxer = path.lowercased().hasSuffix(".mov") ? "mov" : "mp4"
        guard let format = av_guess_format(muxer, nil, nil) else { return false }
        return avformat_query_codec(format, codec, FF_COMPLIANCE_NORMAL) == 1
    }

    /// Whether encoders must put codec headers in extradata (MP4/MOV do).
    var needsGlobalHeader: Bool { context.pointee.oformat.pointee.flags & TROUPE_FMT_GLOBALHEADER != 0 }

    /// Adds a stream that will receive copied packets from `input`'s stream `index`.
    func addStream(copying index: Int, of input: InputFile) throws(MediaError) -> Int {
        guard let st = avformat_new_stream(context, nil) else { fatalError("avformat_new_stream: out of memory") }
        try check(avcodec_parameters_copy(st.pointee.codecpar, input.codecParameters(index))) {
            .writeFailed(path: path, reason: $0)
        }
        st.pointee.codecpar.pointee.codec_tag = 0
        st.pointee.time_base = input.streams[index].timeBase.av
        try keepRotation(Int(st.pointee.index), of: input, index)
        return Int(st.pointee.index)
    }

    /// Adds a stream fed by `encoder`.
    func addStream(encoder: Encoder) throws(MediaError) -> Int {
        guard let st = avformat_new_stream(context, nil) else { fatalError("avformat_new_stream: out of memory") }
        try encoder.exportParameters(to: st.pointee.codecpar, path: path)
        st.pointee.time_base = encoder.timeBase.av
        return Int(st.pointee.index)
    }

    /// Gives output stream `stream` the display matrix (rotation) of `input`'s stream `index`:
    /// troupe never rotates pixels, so the player must keep doing it.
    func keepRotation(_ stream: Int, of input: InputFile, _ index: Int) throws(MediaError) {
        try check(troupe_copy_display_matrix(context.pointee.streams[stream]!, input.rawStream(index))) {
            .writeFailed(path: path, reason: $0)
        }
    }

    /// Sets a clockwise display rotation on a stream (synthetic test media).
    func setRotation(_ stream: Int, degrees: Int) throws(MediaError) {
        try check(troupe_set_rotation(context.pointee.streams[stream]!, Double(degrees))) {
            .writeFailed(path: path, reason: $0)
        }
    }

    /// `options` are the muxer's (e.g. `movflags: +faststart`).
    func writeHeader(options: [String: String] = [:]) throws(MediaError) {
        var dict: OpaquePointer?
        for (key, value) in options.sorted(by: { $0.key < $1.key }) { av_dict_set(&dict, key, value, 0) }
        let code = avformat_write_header(context, &dict)
        av_dict_free(&dict)
        try check(code) { .writeFailed(path: path, reason: $0) }
        headerWritten = true
    }

    /// The muxer's time base for a stream (valid after `writeHeader`).
    func timeBase(_ stream: Int) -> Rational { Rational(context.pointee.streams[stream]!.pointee.time_base) }

    /// Interleaves and writes a packet (already in the stream's time base); takes its contents.
    func write(_ packet: Packet) throws(MediaError) {
        if cancellation?.isCancelled == true { throw .cancelled(path: path) }
        try check(av_interleaved_write_frame(context, packet.raw)) { .writeFailed(path: path, reason: $0) }
    }

    /// Writes the trailer, flushes to disk and renames the temp file into place.
    func finish() throws(MediaError) {
        if cancellation?.isCancelled == true { throw .cancelled(path: path) }
        guard headerWritten else { throw .writeFailed(path: path, reason: "no streams were written") }
        try check(av_write_trailer(context)) { .writeFailed(path: path, reason: $0) }
        let closed = avio_closep(&context.pointee.pb)
        finished = true
        guard closed >= 0 else {
            unlink(tempPath)
            throw .writeFailed(path: path, reason: AVResult.message(closed))
        }
        try AtomicFile.commitMedia(temporary: tempPath, to: path)
    }
}
