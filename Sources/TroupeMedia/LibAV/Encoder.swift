internal import CFFmpeg

/// An encoder (AVCodecContext): H.264 (libx264), AAC, PNG or MJPEG.
final class Encoder {
    let path: String
    private var ctx: UnsafeMutablePointer<AVCodecContext>?

    init(path: String, codec: UnsafePointer<AVCodec>) {
        _ = LibAVLog.quiet
        self.path = path
        guard let made = avcodec_alloc_context3(codec) else { fatalError("avcodec_alloc_context3: out of memory") }
        ctx = made
        // Bit-exact: keep library version strings out of the bitstream.
        made.pointee.flags |= TROUPE_CODEC_FLAG_BITEXACT
    }

    deinit { avcodec_free_context(&ctx) }

    var context: UnsafeMutablePointer<AVCodecContext> { ctx! }

    static func find(_ name: String, path: String) throws(MediaError) -> UnsafePointer<AVCodec> {
        guard let codec = avcodec_find_encoder_by_name(name) else { throw .unsupportedCodec(path: path, codec: name) }
        return codec
    }

    func open(_ codec: UnsafePointer<AVCodec>, options: [String: String]) throws(MediaError) {
        var dict: OpaquePointer?
        for (key, value) in options.sorted(by: { $0.key < $1.key }) { av_dict_set(&dict, key, value, 0) }
        let code = avcodec_open2(context, codec, &dict)
        av_dict_free(&dict)
        try check(code) { .encodeFailed(path: path, reason: $0) }
    }

    /// H.264 via libx264, yuv420p, constant frame rate `frameRate`, time base 1/frameRate.
    static func h264(path: String, width: Int, height: Int, frameRate: Rational, settings: VideoSettings,
                     globalHeader: Bool) throws(MediaError) -> Encoder {
        let codec = try find("libx264", path: path)
        let enc = Encoder(path: path, codec: codec)
        let c = enc.context
        c.pointee.width = Int32(width)
        c.pointee.height = Int32(height)
        c.pointee.pix_fmt = AV_PIX_FMT_YUV420P
        c.pointee.time_base = frameRate.inverted.av
        c.pointee.framerate = frameRate.av
        c.pointee.gop_size = Int32(settings.gop ?? max(1, Int((frameRate.value * 2).rounded())))
        c.pointee.sample_aspect_ratio = AVRational(num: 1, den: 1)
        c.pointee.thread_count = Int32(settings.threads)
        if globalHeader { c.pointee.flags |= TROUPE_CODEC_FLAG_GLOBAL_HEADER }
        c.pointee.keyint_min = c.pointee.gop_size
        // Keyframes exactly every `gop` frames (no scene-cut extras): later trims on those
        // boundaries can be stream-copied, and the layout is predictable.
        try enc.open(codec, options: ["preset": settings.preset, "crf": String(settings.crf), "x264-params": "scenecut=0"])
        return enc
    }

    /// AAC (FFmpeg's native encoder), planar float.
    static func aac(path: String, sampleRate: Int, channels: Int, bitRate: Int = 128_000,
                    globalHeader: Bool, fast: Bool = false) throws(MediaError) -> Encoder {
        let codec = try find("aac", path: path)
        let enc = Encoder(path: path, codec: codec)
        let c = enc.context
        c.pointee.sample_fmt = AV_SAMPLE_FMT_FLTP
        c.pointee.sample_rate = Int32(sampleRate)
        av_channel_layout_default(&c.pointee.ch_layout, Int32(channels))
        c.pointee.bit_rate = Int64(bitRate)
        c.pointee.time_base = AVRational(num: 1, den: Int32(sampleRate))
        if globalHeader { c.pointee.flags |= TROUPE_CODEC_FLAG_GLOBAL_HEADER }
        // The "fast" coder searches less than the default two-loop one: for previews.
        try enc.open(codec, options: fast ? ["aac_coder": "fast"] : [:])
        return enc
    }

    /// A still-image encoder: PNG (rgb24) or JPEG (yuvj420p).
    static func image(path: String, format: ImageFormat, width: Int, height: Int) throws(MediaError) -> Encoder {
        let codec = try find(format == .png ? "png" : "mjpeg", path: path)
        let enc = Encoder(path: path, codec: codec)
        let c = enc.context
        c.pointee.width = Int32(width)
        c.pointee.height = Int32(height)
        c.pointee.pix_fmt = format == .png ? AV_PIX_FMT_RGB24 : AV_PIX_FMT_YUVJ420P
        c.pointee.time_base = AVRational(num: 1, den: 25)
        if format == .jpeg {
            // Fixed quality (qscale 3 ≈ ffmpeg -q:v 3).
            c.pointee.flags |= Int32(AV_CODEC_FLAG_QSCALE)
            c.pointee.global_quality = 3 * FF_QP2LAMBDA
        }
        try enc.open(codec, options: [:])
        return enc
    }

    var timeBase: Rational { Rational(context.pointee.time_base) }
    var width: Int { Int(context.pointee.width) }
    var height: Int { Int(context.pointee.height) }
    var pixelFormat: AVPixelFormat { context.pointee.pix_fmt }
    var sampleFormat: AVSampleFormat { context.pointee.sample_fmt }
    var sampleRate: Int { Int(context.pointee.sample_rate) }
    var channels: Int { Int(context.pointee.ch_layout.nb_channels) }
    /// Samples per audio frame the encoder requires (1024 for AAC).
    var frameSize: Int { Int(context.pointee.frame_size) }

    func exportParameters(to par: UnsafeMutablePointer<AVCodecParameters>, path: String) throws(MediaError) {
        try check(avcodec_parameters_from_context(par, context)) { .encodeFailed(path: path, reason: $0) }
    }

    /// Sends a frame (nil = drain).
    func send(_ frame: Frame?) throws(MediaError) {
        let code = avcodec_send_frame(context, frame?.raw)
        if code < 0 && code != AVResult.eof { throw .encodeFailed(path: path, reason: AVResult.message(code)) }
    }

    /// Receives the next packet; false when the encoder needs input or is drained.
    func receive(into packet: Packet) throws(MediaError) -> Bool {
        packet.unref()
        let code = avcodec_receive_packet(context, packet.raw)
        if code == AVResult.again || code == AVResult.eof { return false }
        if code < 0 { throw .encodeFailed(path: path, reason: AVResult.message(code)) }
        return true
    }
}
