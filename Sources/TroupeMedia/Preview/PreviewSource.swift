internal import CFFmpeg

/// The reference clip as the preview shows it: one picture per preview frame (upright, at the
/// preview's size, yuv420p) for one pass over the clip, and its sound as packets.
///
/// Frame k shows the latest decoded picture whose time is at most (k + ½)/fps, less 1/32 of a
/// frame for rounded time stamps: the rule `VideoSink` applies, worked out here so that only the
/// pictures shown are scaled, sampled and composited.
final class PreviewSource {
    let path: String
    let input: InputFile
    let video: StreamInfo
    let audio: StreamInfo?
    let width: Int, height: Int
    let rate: Rational
    /// Preview frames in one pass over the clip (or the whole preview, when shorter).
    let frames: Int
    /// The sound's packets, in file order, kept from the first pass.
    private(set) var audioPackets: [Packet] = []
    /// Whether `audioPackets` holds all the sound the preview needs (the first pass is over).
    private(set) var soundComplete = false
    private let turn: Int
    private var passes = 0

    init(clip path: String, height: Int, seconds: Int, keepSound: Bool,
         cancellation: MediaCancellation?) throws(MediaError) {
        self.path = path
        input = try InputFile(path: path, cancellation: cancellation)
        guard let video = input.bestStream(.video) else { throw .noVideoStream(path: path) }
        self.video = video
        audio = keepSound ? input.bestStream(.audio) : nil
        rate = PreviewRenderer.frameRate(for: video.frameRate)
        let length = video.durationSeconds ?? input.durationSeconds ?? 0
        guard length > 0 else { throw .unreadable(path: path, reason: "the video stream has no duration") }
        // Rotated (phone) clips are turned upright, so the preview has the clip's display shape.
        turn = ((Int(video.rotation.rounded()) % 360) + 360) % 360 / 90 * 90
        let (w, h) = turn % 180 == 0 ? (video.width, video.height) : (video.height, video.width)
        width = max(2, Int((Double(height) * Double(w) / Double(max(1, h))).rounded()) & ~1)
        self.height = height
        guard width <= 8192 else { throw .absurdDimensions(path: path, width: video.width, height: video.height) }
        let total = max(1, Int((Double(seconds) * rate.value).rounded()))
        frames = min(total, max(1, Int((length * rate.value).rounded())))
    }

    /// Decodes the clip from its start and calls `shown` with each preview frame in order
    /// (index, picture), the first `limit` of them at most. The picture may be the decoder's
    /// own: read it, do not change it.
    func decode(upTo limit: Int = .max, _ shown: (Int, Frame) throws(MediaError) -> Void) throws(MediaError) {
        let frames = min(self.frames, limit)
        if passes > 0 { try input.seek(stream: video, to: input.startSeconds) }
        passes += 1
        let keepAudio = passes == 1 && audio != nil
        // Fast decoding (no deblocking) and, when the preview skips frames, no decoding of the
        // frames nothing refers to (most B-frames): a neighbour 1/30 s away stands in.
        let decoder = try Decoder(input: input, stream: video, fast: true)
        decoder.skipNonReference = rate != video.frameRate
        let converter = try PictureConverter(turn: turn, width: width, height: height, path: path)
        let period = 1 / rate.value, origin = input.startSeconds
        var next = 0
        var pending: Frame?
        var converted: (source: Frame, picture: Frame)?
        func emit(_ frame: Frame) throws(MediaError) {
            if converted?.source !== frame { converted = (frame, try converter.convert(frame)) }
            try shown(next, converted!.picture)
            next += 1
        }
        func offer(_ frame: Frame) throws(MediaError) {
            guard let pts = frame.pts else { return }
            let t = video.timeBase.seconds(pts) - origin
            while next < frames, (Double(next) + 0.5) * period < t + period / 32 { try emit(pending ?? frame) }
            if next < frames { pending = frame }
        }
        func drain() throws(MediaError) {
            while next < frames {
                let frame = Frame()
                guard try decoder.receive(into: frame) else { return }
                try offer(frame)
            }
        }
        let packet = Packet()
        let end = Double(frames) * period + 0.1
        var audioDone = !keepAudio
        while !(next >= frames && audioDone), try input.read(into: packet) {
            if packet.streamIndex == video.index, next < frames {
                try decoder.send(packet)
                try drain()
            } else if !audioDone, let audio, packet.streamIndex == audio.index {
                if let pts = packet.pts, audio.timeBase.seconds(pts) - origin > end { audioDone = true }
                else { audioPackets.append(packet.clone()) }
            }
        }
        try decoder.send(nil)
        try drain()
        soundComplete = true
        while next < frames {
            guard let last = pending else { try emit(Frame.black(width: width, height: height)); continue }
            try emit(last)
        }
    }
}

/// Brings decoded pictures to the preview's size and format, upright.
private struct PictureConverter {
    let upright: Upright?
    let width: Int, height: Int, path: String
    private let scalers = Box()
    private final class Box { var scaler: Scaler? }

    init(turn: Int, width: Int, height: Int, path: String) throws(MediaError) {
        upright = turn == 0 ? nil : try Upright(degrees: turn, width: width, height: height, path: path)
        self.width = width; self.height = height; self.path = path
    }

    func convert(_ frame: Frame) throws(MediaError) -> Frame {
        if let upright { return try upright.turn(frame) }
        if frame.width == width && frame.height == height && frame.pixelFormat == AV_PIX_FMT_YUV420P { return frame }
        if scalers.scaler == nil || !scalers.scaler!.matches(frame) {
            scalers.scaler = try Scaler(from: frame.width, frame.height, frame.pixelFormat, to: width, height,
                                        AV_PIX_FMT_YUV420P, fast: true, path: path)
        }
        return scalers.scaler!.scale(frame)
    }
}

extension Frame {
    /// A black yuv420p picture (a clip whose frames cannot be decoded at all).
    static func black(width: Int, height: Int) -> Frame {
        let frame = Frame.video(width: width, height: height, format: AV_PIX_FMT_YUV420P)
        frame.fill(plane: 0, x: 0, y: 0, width: width, height: height, value: 16)
        frame.fill(plane: 1, x: 0, y: 0, width: width, height: height, value: 128)
        frame.fill(plane: 2, x: 0, y: 0, width: width, height: height, value: 128)
        return frame
    }
}

extension Packet {
    /// A new packet referring to the same data, with the same timing and flags.
    func clone() -> Packet {
        let copy = Packet()
        if av_packet_ref(copy.raw, raw) < 0 { fatalError("av_packet_ref: out of memory") }
        return copy
    }
}
