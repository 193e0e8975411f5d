/// Remuxing without decoding: trims on keyframes and concatenation of identical streams.
enum StreamCopy {
    static func trim(_ input: InputFile, _ video: StreamInfo, _ audio: StreamInfo?, cut: KeyframeCut,
                     to path: String, cancellation: MediaCancellation?) throws(MediaError) {
        let output = try OutputFile(path: path, cancellation: cancellation)
        let outVideo = try output.addStream(copying: video.index, of: input)
        let outAudio = try audio.map { a throws(MediaError) in try output.addStream(copying: a.index, of: input) }
        try output.writeHeader()

        let origin = input.startSeconds
        let audioStart = audio.map { $0.timeBase.ticks(cut.startSeconds + origin) }
        let audioEnd = audio.map { $0.timeBase.ticks(cut.endSeconds + origin) }
        let frameTicks = video.timeBase.ticks(1 / video.frameRate.value)
        try input.seek(stream: video, to: video.timeBase.seconds(cut.startTicks))
        let packet = Packet()
        var videoDone = false
        var audioDone = audio == nil
        while !(videoDone && audioDone), try input.read(into: packet) {
            if packet.streamIndex == video.index {
                guard let pts = packet.pts else { continue }
                if let endTicks = cut.endTicks, pts >= endTicks {
                    // Past the end keyframe in decode order: only B-frames after it remain, all later.
                    if let dts = packet.dts, dts >= endTicks + 2 * frameTicks { videoDone = true }
                    continue
                }
                if pts < cut.startTicks { continue }
                packet.shift(by: -cut.startTicks)
                packet.streamIndex = outVideo
                packet.rescale(from: video.timeBase, to: output.timeBase(outVideo))
                try output.write(packet)
            } else if let audio, let outAudio, let audioStart, let audioEnd, packet.streamIndex == audio.index {
                guard let pts = packet.pts else { continue }
                if pts >= audioEnd { audioDone = true; continue }
                // Keep the audio frame that straddles the start only if most of it is inside.
                if pts + packet.duration / 2 < audioStart { continue }
                packet.shift(by: -audioStart)
                packet.streamIndex = outAudio
                packet.rescale(from: audio.timeBase, to: output.timeBase(outAudio))
                try output.write(packet)
            }
        }
        try output.finish()
    }
}

extension StreamCopy {
    /// Whether all clips can be appended packet for packet to an output set up from the first.
    static func canConcat(_ readers: [SourceReader], into path: String) -> Bool {
        let first = readers[0]
        guard canCopy(first, into: path) else { return false }
        return readers.allSatisfy { r in
            guard r.input.sameCodecSetup(r.video.index, as: first.input, first.video.index),
                  r.frameRate == first.frameRate, r.video.rotation == first.video.rotation else { return false }
            switch (r.audio, first.audio) {
            case (nil, nil): return true
            case let (a?, b?): return r.input.sameCodecSetup(a.index, as: first.input, b.index)
            default: return false
            }
        }
    }

    /// Appends each clip's packets after the previous clip's last packet end (as ffmpeg's concat
    /// demuxer does), so timestamps stay monotonic and every stream shifts by the same amount.
    static func concat(_ readers: [SourceReader], to path: String, cancellation: MediaCancellation?) throws(MediaError) {
        let first = readers[0]
        let output = try OutputFile(path: path, cancellation: cancellation)
        let outVideo = try output.addStream(copying: first.video.index, of: first.input)
        let outAudio = try first.audio.map { a throws(MediaError) in try output.addStream(copying: a.index, of: first.input) }
        try output.writeHeader()
        let videoBase = output.timeBase(outVideo)
        let audioBase = outAudio.map { output.timeBase($0) }
        var lastDts: [Int: Int64] = [:]
        let packet = Packet()
        var offset = 0.0
        for reader in readers {
            let input = reader.input
            try input.seek(stream: reader.video, to: reader.origin)
            var clipEnd = 0.0
            while try input.read(into: packet) {
                let stream: StreamInfo, out: Int, base: Rational
                if packet.streamIndex == reader.video.index {
                    (stream, out, base) = (reader.video, outVideo, videoBase)
                } else if let audio = reader.audio, let outAudio, let audioBase, packet.streamIndex == audio.index {
                    (stream, out, base) = (audio, outAudio, audioBase)
                } else { continue }
                let shift = stream.timeBase.ticks(offset - reader.origin)
                if let pts = packet.pts {
                    clipEnd = max(clipEnd, stream.timeBase.seconds(pts + packet.duration) - reader.origin)
                }
                packet.shift(by: shift)
                packet.streamIndex = out
                packet.rescale(from: stream.timeBase, to: base)
                // Rounding across time bases must never make a stream step backwards.
                if let dts = packet.dts, let last = lastDts[out], dts <= last {
                    packet.dts = last + 1
                    if let pts = packet.pts, pts < last + 1 { packet.pts = last + 1 }
                }
                lastDts[out] = packet.dts
                try output.write(packet)
            }
            offset += clipEnd
        }
        try output.finish()
    }
}

extension StreamCopy {
    /// Whether a clip's streams can go into `path`'s container without re-encoding.
    static func canCopy(_ reader: SourceReader, into path: String) -> Bool {
        OutputFile.canHold(reader.video.codecID, path: path)
            && (reader.audio.map { OutputFile.canHold($0.codecID, path: path) } ?? true)
    }
}
