internal import CFFmpeg

/// An owned AVFrame (video or audio).
final class Frame {
    private(set) var raw: UnsafeMutablePointer<AVFrame>

    init() {
        guard let f = av_frame_alloc() else { fatalError("av_frame_alloc: out of memory") }
        raw = f
    }

    deinit {
        var f: UnsafeMutablePointer<AVFrame>? = raw
        av_frame_free(&f)
    }

    /// A writable video frame with its own buffers.
    static func video(width: Int, height: Int, format: AVPixelFormat) -> Frame {
        let frame = Frame()
        frame.raw.pointee.width = Int32(width)
        frame.raw.pointee.height = Int32(height)
        frame.raw.pointee.format = format.rawValue
        if av_frame_get_buffer(frame.raw, 0) < 0 { fatalError("av_frame_get_buffer: out of memory") }
        return frame
    }

    /// A writable audio frame of `samples` samples.
    static func audio(samples: Int, format: AVSampleFormat, sampleRate: Int, channels: Int) -> Frame {
        let frame = Frame()
        frame.raw.pointee.nb_samples = Int32(max(samples, 1))
        frame.raw.pointee.format = format.rawValue
        frame.raw.pointee.sample_rate = Int32(sampleRate)
        av_channel_layout_default(&frame.raw.pointee.ch_layout, Int32(channels))
        if av_frame_get_buffer(frame.raw, 0) < 0 { fatalError("av_frame_get_buffer: out of memory") }
        frame.raw.pointee.nb_samples = Int32(samples)
        return frame
    }

    var width: Int { Int(raw.pointee.width) }
    var height: Int { Int(raw.pointee.height) }
    var pixelFormat: AVPixelFormat { AVPixelFormat(rawValue: raw.pointee.format) }
    var sampleFormat: AVSampleFormat { AVSampleFormat(rawValue: raw.pointee.format) }
    var sampleCount: Int { Int(raw.pointee.nb_samples) }
    var sampleRate: Int { Int(raw.pointee.sample_rate) }
    var channels: Int { Int(raw.pointee.ch_layout.nb_channels) }
    var isKey: Bool { raw.pointee.key_frame != 0 }

    /// Presentation time: the frame's best-effort timestamp.
    var pts: Int64? {
        get {
            let t = raw.pointee.best_effort_timestamp != TROUPE_AV_NOPTS_VALUE
                ? raw.pointee.best_effort_timestamp : raw.pointee.pts
            return t == TROUPE_AV_NOPTS_VALUE ? nil : t
        }
        set { raw.pointee.pts = newValue ?? TROUPE_AV_NOPTS_VALUE }
    }

    /// Duration in stream ticks, 0 when unknown.
    var durationTicks: Int64 { raw.pointee.pkt_duration }

    func unref() { av_frame_unref(raw) }

    func makeWritable() {
        if av_frame_make_writable(raw) < 0 { fatalError("av_frame_make_writable: out of memory") }
    }

    /// Fills the samples with silence.
    func silence() {
        av_samples_set_silence(raw.pointee.extended_data, 0, raw.pointee.nb_samples,
                               raw.pointee.ch_layout.nb_channels,
                               AVSampleFormat(rawValue: raw.pointee.format))
    }
}

extension Frame {
    /// Whether the pixel format carries an alpha channel.
    var hasAlpha: Bool {
        guard let desc = av_pix_fmt_desc_get(pixelFormat) else { return false }
        return desc.pointee.flags & UInt64(AV_PIX_FMT_FLAG_ALPHA) != 0
    }
}

extension Frame {
    /// A new frame sharing this frame's pixel buffers (for sending one picture twice), with
    /// the picture type cleared so the encoder chooses it.
    func reference() -> Frame {
        let out = Frame()
        if av_frame_ref(out.raw, raw) < 0 { fatalError("av_frame_ref: out of memory") }
        out.raw.pointee.pict_type = AV_PICTURE_TYPE_NONE
        return out
    }

    /// A writable deep copy of a video frame.
    func copy() -> Frame {
        let out = Frame.video(width: width, height: height, format: pixelFormat)
        av_frame_copy(out.raw, raw)
        return out
    }
}
