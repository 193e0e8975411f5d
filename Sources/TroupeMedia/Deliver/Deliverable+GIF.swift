internal import CFFmpeg

extension Deliverable {
    /// What a GIF shows: `width` pixels wide (height by aspect), `fps`, seconds `from` to `to`.
    public struct GIFSpec: Sendable, Equatable {
        public var width: Int
        public var fps: Int
        public var from: Double
        public var to: Double
        public init(width: Int = 480, fps: Int = 12, from: Double = 0, to: Double = 3) {
            self.width = width; self.fps = fps; self.from = from; self.to = to
        }
    }

    /// A GIF of part of a file, with a palette made for that file (palettegen → paletteuse).
    public static func gif(_ source: String, spec: GIFSpec, to output: String,
                           cancellation: MediaCancellation? = nil) throws(MediaError) {
        guard (16...4096).contains(spec.width), (1...50).contains(spec.fps), spec.from >= 0, spec.to > spec.from else {
            throw .invalidArgument("\(output): a GIF needs width 16–4096, fps 1–50 and 0 ≤ from < to")
        }
        let input = try InputFile(path: source, cancellation: cancellation)
        let reader = try SourceReader(input, audio: false)
        let rate = Rational(spec.fps, 1)
        let height = max(2, Int((Double(spec.width) * Double(reader.video.height) / Double(max(1, reader.video.width)) / 2).rounded()) * 2)
        let n = DeliverGraph.number
        let description = "[main]trim=start=0:end=\(n(spec.to - spec.from)),fps=\(spec.fps):start_time=0"
            + ",scale=\(spec.width):\(height):flags=lanczos,split[g0][g1];[g0]palettegen=stats_mode=full[pal]"
            + ";[g1][pal]paletteuse=dither=sierra2_4a[vout]"
        let graph = try FilterGraph(description, sources: [.video(
            label: "main", width: reader.video.width, height: reader.video.height,
            format: AVPixelFormat(rawValue: input.codecParameters(reader.video.index).pointee.format),
            timeBase: Rational(1, 1_000_000), frameRate: reader.frameRate)], sinks: [.video(label: "vout")], path: output)
        let file = try OutputFile(path: output, format: "gif", cancellation: cancellation)
        let encoder = try Encoder.gif(path: output, width: spec.width, height: height, frameRate: rate)
        let stream = try file.addStream(encoder: encoder)
        try file.writeHeader()
        let packet = Packet(), pulled = Frame()
        var count: Int64 = 0
        func drain() throws(MediaError) {
            while try encoder.receive(into: packet) {
                packet.streamIndex = stream
                packet.duration = 1
                packet.rescale(from: encoder.timeBase, to: file.timeBase(stream))
                try file.write(packet)
            }
        }
        func pull() throws(MediaError) {
            while try graph.pull("vout", into: pulled) == .frame {
                pulled.pts = count
                count += 1
                try encoder.send(pulled)
                try drain()
            }
        }
        try reader.run(from: spec.from, to: spec.to, video: { frame, t throws(MediaError) in
            frame.pts = Int64((t * 1_000_000).rounded())
            try graph.send(frame, to: "main")
            try pull()
        }, audio: { _, _ throws(MediaError) in })
        try graph.close("main")
        try pull()
        try encoder.send(nil)
        try drain()
        try file.finish()
    }
}
