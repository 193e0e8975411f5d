internal import CFFmpeg

/// A decoder (AVCodecContext) for one stream of an input file.
final class Decoder {
    let path: String
    let stream: StreamInfo
    private var ctx: UnsafeMutablePointer<AVCodecContext>?
    /// Packets the decoder rejected as invalid (damaged data is skipped, as ffmpeg does).
    private(set) var rejectedPackets = 0

    /// `fast` skips H.264 deblocking and allows non-spec-compliant speedups: for previews only.
    init(input: InputFile, stream: StreamInfo, threads: Int = 0, fast: Bool = false) throws(MediaError) {
        path = input.path
        self.stream = stream
        let par = input.codecParameters(stream.index)
        guard let codec = avcodec_find_decoder(par.pointee.codec_id) else {
            throw .unsupportedCodec(path: path, codec: stream.codecName)
        }
        guard let made = avcodec_alloc_context3(codec) else { fatalError("avcodec_alloc_context3: out of memory") }
        ctx = made
        try check(avcodec_parameters_to_context(made, par)) { .decodeFailed(path: path, reason: $0) }
        made.pointee.pkt_timebase = stream.timeBase.av
        made.pointee.thread_count = Int32(threads)
        if fast {
            made.pointee.skip_loop_filter = AVDISCARD_ALL
            made.pointee.flags2 |= Int32(AV_CODEC_FLAG2_FAST)
        }
        try check(avcodec_open2(made, codec, nil)) { .decodeFailed(path: path, reason: $0) }
    }

    deinit { avcodec_free_context(&ctx) }

    private var context: UnsafeMutablePointer<AVCodecContext> { ctx! }

    /// Sends a packet (nil = drain). Invalid packets are counted and skipped.
    func send(_ packet: Packet?) throws(MediaError) {
        let code = avcodec_send_packet(context, packet?.raw)
        if code == TROUPE_AVERROR_INVALIDDATA { rejectedPackets += 1; return }
        if code < 0 && code != AVResult.eof && code != AVResult.again {
            throw .decodeFailed(path: path, reason: AVResult.message(code))
        }
    }

    /// Receives the next decoded frame; false when the decoder needs input or is drained.
    func receive(into frame: Frame) throws(MediaError) -> Bool {
        frame.unref()
        let code = avcodec_receive_frame(context, frame.raw)
        if code == AVResult.again || code == AVResult.eof { return false }
        if code == TROUPE_AVERROR_INVALIDDATA { rejectedPackets += 1; return false }
        if code < 0 { throw .decodeFailed(path: path, reason: AVResult.message(code)) }
        return true
    }

    /// When set, frames no other frame refers to (most B-frames) are dropped without being
    /// decoded; reference frames are always decoded.
    var skipNonReference = false {
        didSet { context.pointee.skip_frame = skipNonReference ? AVDISCARD_NONREF : AVDISCARD_DEFAULT }
    }

    /// Forgets buffered frames (after a seek).
    func flush() { avcodec_flush_buffers(context) }
}
