internal import CFFmpeg

/// A sample-format/rate/layout converter (SwrContext) into an encoder's format.
final class Resampler {
    private var ctx: OpaquePointer?
    let rate: Int, format: AVSampleFormat, channels: Int

    init(from frame: Frame, toRate rate: Int, format: AVSampleFormat, channels: Int) throws(MediaError) {
        self.rate = rate; self.format = format; self.channels = channels
        var outLayout = AVChannelLayout()
        av_channel_layout_default(&outLayout, Int32(channels))
        var inLayout = AVChannelLayout()
        if frame.raw.pointee.ch_layout.order == AV_CHANNEL_ORDER_UNSPEC {
            av_channel_layout_default(&inLayout, frame.raw.pointee.ch_layout.nb_channels)
        } else {
            av_channel_layout_copy(&inLayout, &frame.raw.pointee.ch_layout)
        }
        defer { av_channel_layout_uninit(&inLayout); av_channel_layout_uninit(&outLayout) }
        let code = swr_alloc_set_opts2(&ctx, &outLayout, format, Int32(rate), &inLayout,
                                       frame.sampleFormat, Int32(frame.sampleRate), 0, nil)
        guard code >= 0, ctx != nil, swr_init(ctx) >= 0 else {
            throw .decodeFailed(path: "", reason: "cannot convert audio from \(frame.sampleRate) Hz")
        }
    }

    deinit { swr_free(&ctx) }

    /// Converts a frame (nil = flush what is buffered).
    func convert(_ frame: Frame?) -> Frame {
        let capacity = Int(swr_get_out_samples(ctx, Int32(frame?.sampleCount ?? 0))) + 32
        let out = Frame.audio(samples: capacity, format: format, sampleRate: rate, channels: channels)
        if troupe_swr_convert_frame(ctx, out.raw, frame?.raw) < 0 { out.raw.pointee.nb_samples = 0 }
        return out
    }
}
