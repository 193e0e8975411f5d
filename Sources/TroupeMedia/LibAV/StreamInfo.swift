internal import CFFmpeg

/// What one stream of an input file says about itself.
struct StreamInfo {
    enum Kind { case video, audio, subtitle, other }
    var index: Int
    var kind: Kind
    var codecName: String
    var codecID: AVCodecID
    var width: Int
    var height: Int
    var timeBase: Rational
    var avgFrameRate: Rational
    var realFrameRate: Rational
    var durationTicks: Int64?
    var startTicks: Int64?
    var frameCount: Int
    var rotation: Double
    var sampleRate: Int
    var channels: Int
    var isAttachedPicture: Bool

    /// The frame rate to trust: average, else real, else 25.
    var frameRate: Rational {
        if avgFrameRate.isValid && avgFrameRate.value < 1000 { return avgFrameRate }
        if realFrameRate.isValid && realFrameRate.value < 1000 { return realFrameRate }
        return Rational(25, 1)
    }

    var durationSeconds: Double? { durationTicks.map { timeBase.seconds($0) } }
    var startSeconds: Double { startTicks.map { timeBase.seconds($0) } ?? 0 }

    init(_ st: UnsafeMutablePointer<AVStream>) {
        let par = st.pointee.codecpar.pointee
        index = Int(st.pointee.index)
        switch par.codec_type {
        case AVMEDIA_TYPE_VIDEO: kind = .video
        case AVMEDIA_TYPE_AUDIO: kind = .audio
        case AVMEDIA_TYPE_SUBTITLE: kind = .subtitle
        default: kind = .other
        }
        codecID = par.codec_id
        codecName = String(cString: avcodec_get_name(par.codec_id))
        width = Int(par.width)
        height = Int(par.height)
        timeBase = Rational(st.pointee.time_base)
        avgFrameRate = Rational(st.pointee.avg_frame_rate)
        realFrameRate = Rational(st.pointee.r_frame_rate)
        durationTicks = st.pointee.duration == TROUPE_AV_NOPTS_VALUE ? nil : st.pointee.duration
        startTicks = st.pointee.start_time == TROUPE_AV_NOPTS_VALUE ? nil : st.pointee.start_time
        frameCount = Int(st.pointee.nb_frames)
        rotation = troupe_stream_rotation(st)
        sampleRate = Int(par.sample_rate)
        channels = Int(par.ch_layout.nb_channels)
        isAttachedPicture = st.pointee.disposition & AV_DISPOSITION_ATTACHED_PIC != 0
    }
}
