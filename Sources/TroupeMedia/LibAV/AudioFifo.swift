internal import CFFmpeg

/// A sample queue (AVAudioFifo) between the resampler and an encoder with a fixed frame size.
final class AudioFifo {
    private var fifo: OpaquePointer?
    let format: AVSampleFormat, channels: Int, rate: Int

    init(format: AVSampleFormat, channels: Int, rate: Int) {
        self.format = format; self.channels = channels; self.rate = rate
        fifo = av_audio_fifo_alloc(format, Int32(channels), 4096)
        if fifo == nil { fatalError("av_audio_fifo_alloc: out of memory") }
    }

    deinit { av_audio_fifo_free(fifo) }

    var count: Int { Int(av_audio_fifo_size(fifo)) }

    /// Appends samples [offset, offset+count) of a frame in the fifo's format.
    func write(_ frame: Frame, offset: Int = 0, count: Int? = nil) {
        let n = count ?? (frame.sampleCount - offset)
        guard n > 0 else { return }
        if troupe_fifo_write_frame(fifo, frame.raw, Int32(offset), Int32(n)) < 0 { fatalError("audio fifo: out of memory") }
    }

    func writeSilence(_ count: Int) {
        var left = count
        while left > 0 {
            let n = min(left, 4096)
            let frame = Frame.audio(samples: n, format: format, sampleRate: rate, channels: channels)
            frame.silence()
            write(frame)
            left -= n
        }
    }

    /// Removes up to `count` samples into a new frame.
    func read(_ count: Int) -> Frame {
        let frame = Frame.audio(samples: count, format: format, sampleRate: rate, channels: channels)
        let n = troupe_fifo_read_frame(fifo, frame.raw, Int32(count))
        frame.raw.pointee.nb_samples = max(0, n)
        return frame
    }
}
