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
