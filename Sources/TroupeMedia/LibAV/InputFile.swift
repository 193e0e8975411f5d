import Foundation
internal import CFFmpeg

/// An opened, probed input (AVFormatContext), closed in deinit.
final class InputFile {
    let path: String
    let sizeBytes: Int
    private var ctx: UnsafeMutablePointer<AVFormatContext>?
    private let cancellation: MediaCancellation?
    private(set) var streams: [StreamInfo] = []
    /// Nothing read or sought since opening: the demuxer is at the start.
    private(set) var untouched = true

    /// `format`: the demuxer to use (e.g. "mp4") instead of asking every demuxer FFmpeg has
    /// whether the file is theirs (most of a failed probe's cost).
    init(path: String, format: String? = nil, cancellation: MediaCancellation? = nil) throws(MediaError) {
        _ = LibAVLog.quiet
        self.path = path
        self.cancellation = cancellation
        // A plain stat: FileManager's attributes look up user and group names.
        var info = stat()
        guard stat(path, &info) == 0 else { throw .notFound(path: path) }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw .notRegularFile(path: path, kind: MediaError.kind(ofMode: UInt32(info.st_mode)))
        }
        guard access(path, R_OK) == 0 else { throw .notReadable(path: path) }
        sizeBytes = Int(info.st_size)
        guard sizeBytes > 0 else { throw .emptyFile(path: path) }
        let demuxer = format.flatMap { Demuxers.named($0) }

        guard let fresh = avformat_alloc_context() else { fatalError("avformat_alloc_context: out of memory") }
        fresh.pointee.interrupt_callback = Interrupt.callback(cancellation)
        var opened: UnsafeMutablePointer<AVFormatContext>? = fresh
        let code = avformat_open_input(&opened, path, demuxer, nil)  // frees the context on failure
        guard code >= 0, let opened else {
            if cancellation?.isCancelled == true { throw .cancelled(path: path) }
            throw .unreadable(path: path, reason: AVResult.message(code))
        }
        ctx = opened
        let found = avformat_find_stream_info(opened, nil)
        if cancellation?.isCancelled == true { throw .cancelled(path: path) }
        guard found >= 0 else { throw .unreadable(path: path, reason: AVResult.message(found)) }
        streams = (0..<Int(opened.pointee.nb_streams)).map { StreamInfo(opened.pointee.streams[$0]!) }
    }

    deinit { avformat_close_input(&ctx) }

    private var context: UnsafeMutablePointer<AVFormatContext> { ctx! }

    /// The demuxer's short name, e.g. "mov,mp4,m4a,3gp,3g2,mj2" or "png_pipe".
    var formatName: String { String(cString: context.pointee.iformat.pointee.name) }

    /// Container duration in seconds, when the container knows it.
    var durationSeconds: Double? {
        let d = context.pointee.duration
        return d == TROUPE_AV_NOPTS_VALUE || d <= 0 ? nil : Double(d) / Double(TROUPE_AV_TIME_BASE)
    }

    var startSeconds: Double {
        let s = context.pointee.start_time
        return s == TROUPE_AV_NOPTS_VALUE ? 0 : Double(s) / Double(TROUPE_AV_TIME_BASE)
    }

    func metadata(_ key: String) -> String? {
        guard let entry = av_dict_get(context.pointee.metadata, key, nil, 0) else { return nil }
        return String(cString: entry.pointee.value)
    }

    /// The main stream of a kind (FFmpeg's pick), skipping cover art.
    func bestStream(_ kind: StreamInfo.Kind) -> StreamInfo? {
        let type = switch kind {
        case .video: AVMEDIA_TYPE_VIDEO
        case .audio: AVMEDIA_TYPE_AUDIO
        case .subtitle: AVMEDIA_TYPE_SUBTITLE
        case .other: AVMEDIA_TYPE_DATA
        }
        let index = av_find_best_stream(context, type, -1, -1, nil, 0)
        guard index >= 0, !streams[Int(index)].isAttachedPicture else {
            return streams.first { $0.kind == kind && !$0.isAttachedPicture }
        }
        return streams[Int(index)]
    }

    var isCancelled: Bool { cancellation?.isCancelled == true }

    /// Reads the next packet; false at end of file.
    func read(into packet: Packet) throws(MediaError) -> Bool {
        untouched = false
        packet.unref()
        let code = av_read_frame(context, packet.raw)
        if code == AVResult.eof { return false }
        if isCancelled { throw .cancelled(path: path) }
        if code < 0 { throw .decodeFailed(path: path, reason: AVResult.message(code)) }
        return true
    }

    /// Seeks so that the next packets of `stream` start at the keyframe at or before `seconds`
    /// (on the stream's own timeline).
    func seek(stream: StreamInfo, to seconds: Double) throws(MediaError) {
        untouched = false
        let ts = stream.timeBase.ticks(seconds)
        let code = av_seek_frame(context, Int32(stream.index), ts, TROUPE_SEEK_BACKWARD)
        if code < 0 {
            // Some demuxers (raw streams) cannot seek by timestamp: go back to the start instead.
            let rewind = avformat_seek_file(context, -1, Int64.min, 0, 0, 0)
            if rewind < 0 { throw .decodeFailed(path: path, reason: "cannot seek: \(AVResult.message(code))") }
        }
    }

    /// The AVStream itself, for copying side data (wrapper files only).
    func rawStream(_ index: Int) -> UnsafeMutablePointer<AVStream> { context.pointee.streams[index]! }

    /// The codec parameters of a stream, for decoders and stream-copy outputs (wrapper files only).
    func codecParameters(_ index: Int) -> UnsafeMutablePointer<AVCodecParameters> {
        context.pointee.streams[index]!.pointee.codecpar
    }

    /// Whether two streams carry identical codec setup (codec, size, format, extradata), so
    /// packets of one can be appended to an output made from the other.
    func sameCodecSetup(_ index: Int, as other: InputFile, _ otherIndex: Int) -> Bool {
        let a = codecParameters(index).pointee, b = other.codecParameters(otherIndex).pointee
        guard a.codec_id == b.codec_id, a.codec_type == b.codec_type, a.width == b.width,
              a.height == b.height, a.format == b.format, a.sample_rate == b.sample_rate,
              a.ch_layout.nb_channels == b.ch_layout.nb_channels,
              a.extradata_size == b.extradata_size
        else { return false }
        if a.extradata_size == 0 { return true }
        return memcmp(a.extradata, b.extradata, Int(a.extradata_size)) == 0
    }
}

/// Demuxers by name, looked up once: `av_find_input_format` compares the name with every
/// demuxer FFmpeg has, and a run opens each result it downloads with the mp4 one.
private enum Demuxers {
    /// A registered demuxer lives as long as the process; the pointer is only read.
    private struct Found: @unchecked Sendable { let format: UnsafePointer<AVInputFormat>? }
    private static let lock = NSLock()
    nonisolated(unsafe) private static var found: [String: Found] = [:]

    static func named(_ name: String) -> UnsafePointer<AVInputFormat>? {
        lock.withLock {
            if let known = found[name] { return known.format }
            let format = av_find_input_format(name)
            found[name] = Found(format: format)
            return format
        }
    }
}
