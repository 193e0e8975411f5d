internal import CFFmpeg

extension Encoder {
    /// H.264 High, yuv420p, for platforms: capped bit rate (VBV), closed GOPs of `gop` frames.
    static func h264Deliverable(path: String, width: Int, height: Int, frameRate: Rational, gop: Int, maxBitRate: Int,
                                settings: VideoSettings, globalHeader: Bool) throws(MediaError) -> Encoder {
        let codec = try find("libx264", path: path)
        let enc = Encoder(path: path, codec: codec)
        let c = enc.context
        c.pointee.width = Int32(width)
        c.pointee.height = Int32(height)
        c.pointee.pix_fmt = AV_PIX_FMT_YUV420P
        c.pointee.time_base = frameRate.inverted.av
        c.pointee.framerate = frameRate.av
        c.pointee.gop_size = Int32(max(1, gop))
        c.pointee.keyint_min = Int32(max(1, gop))
        c.pointee.sample_aspect_ratio = AVRational(num: 1, den: 1)
        c.pointee.thread_count = Int32(settings.threads)
        c.pointee.rc_max_rate = Int64(maxBitRate)
        c.pointee.rc_buffer_size = Int32(clamping: maxBitRate * 2)
        if globalHeader { c.pointee.flags |= TROUPE_CODEC_FLAG_GLOBAL_HEADER }
        try enc.open(codec, options: ["preset": settings.preset, "crf": String(settings.crf), "profile": "high",
                                      "x264-params": "scenecut=0:open-gop=0"])
        return enc
    }

    /// GIF: palette pictures (pal8) at `frameRate`.
    static func gif(path: String, width: Int, height: Int, frameRate: Rational) throws(MediaError) -> Encoder {
        let codec = try find("gif", path: path)
        let enc = Encoder(path: path, codec: codec)
        let c = enc.context
        c.pointee.width = Int32(width)
        c.pointee.height = Int32(height)
        c.pointee.pix_fmt = AV_PIX_FMT_PAL8
        c.pointee.time_base = frameRate.inverted.av
        try enc.open(codec, options: [:])
        return enc
    }
}
