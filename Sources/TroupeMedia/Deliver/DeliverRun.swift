internal import CFFmpeg

/// The second pass of a deliverable: the input decoded once, picture and sound through one
/// filter graph, encoded and muxed as they come out.
final class DeliverRun {
    /// What the graph's sources read.
    struct Inputs {
        var source: String
        var start: Double
        var end: Double
        var sound: SoundReader?
        var music: DecodedSound?
    }

    private let graph: DeliverGraph
    /// The graph this pass runs.
    let description: String
    private let inputs: Inputs
    private let filters: FilterGraph
    private let output: OutputFile
    private let video: Encoder
    private let audio: Encoder
    private let videoStream: Int
    private let audioStream: Int
    private let reader: SourceReader
    private let cancellation: MediaCancellation?
    private let packet = Packet()
    private let pulled = Frame()
    private var frames: Int64 = 0
    private var samples: Int64 = 0

    init(graph: DeliverGraph, inputs: Inputs, levels: DeliverLevels, output path: String, settings: VideoSettings,
         threads: Int, cancellation: MediaCancellation?) throws(MediaError) {
        self.graph = graph
        self.inputs = inputs
        self.cancellation = cancellation
        let input = try InputFile(path: inputs.source, cancellation: cancellation)
        reader = try SourceReader(input, audio: inputs.sound != nil)
        let logo = try graph.spec.overlay.map { o throws(MediaError) in try StillImage(o.image, cancellation: cancellation) }
        let card = try graph.spec.endCard.map { c throws(MediaError) in try StillImage(c.image, cancellation: cancellation) }
        let sound = inputs.sound.map { _ in SoundReader(input)! }

        var sources: [FilterGraph.Source] = [.video(
            label: "main", width: reader.video.width, height: reader.video.height,
            format: AVPixelFormat(rawValue: input.codecParameters(reader.video.index).pointee.format),
            timeBase: Rational(1, 1_000_000), frameRate: graph.rate)]
        if let logo { sources.append(logo.source("logo", rate: graph.rate)) }
        if let card { sources.append(card.source("card", rate: graph.rate)) }
        if let sound { sources.append(sound.source("snd")) }
        let copies = inputs.music == nil ? [] : (0..<graph.musicCopies).map { "m\($0)" }
        sources += copies.map { inputs.music!.source($0) }
        description = graph.video + ";" + graph.sound(musicGain: levels.musicGain, gain: levels.gain) + "[aout]"
        filters = try FilterGraph(description, sources: sources,
                                  sinks: [.video(label: "vout"), .audio(label: "aout", frameSize: 1024)],
                                  threads: threads, path: path)

        let file = try OutputFile(path: path, cancellation: cancellation)
        output = file
        let preset = graph.spec.preset
        video = try .h264Deliverable(path: path, width: preset.width, height: preset.height, frameRate: graph.rate,
                                     gop: max(1, Int((preset.gopSeconds * graph.rate.value).rounded())),
                                     maxBitRate: preset.maxBitRate, settings: settings, globalHeader: file.needsGlobalHeader)
        audio = try .aac(path: path, sampleRate: 48_000, channels: 2, bitRate: 192_000, globalHeader: file.needsGlobalHeader)
        videoStream = try file.addStream(encoder: video)
        audioStream = try file.addStream(encoder: audio)
        try file.writeHeader(options: ["movflags": "+faststart"])

        // The stills and the music are whole before the programme starts: fed now, then closed.
        if let logo {
            try filters.send(logo.frame, to: "logo")
            try filters.close("logo")
        }
        if let card {
            for k in 0..<graph.cardFrames {
                let shown = card.frame.reference()
                shown.pts = Int64(k)
                try filters.send(shown, to: "card")
            }
            try filters.close("card")
        }
        try inputs.music?.feed(filters, copies)
    }

    /// Decodes the programme through the graph into the output, then commits it.
    func encode() throws(MediaError) {
        let hasSound = inputs.sound != nil
        try reader.run(from: inputs.start, to: inputs.end,
                       video: { frame, t throws(MediaError) in
                           frame.pts = Int64((t * 1_000_000).rounded())
                           try filters.send(frame, to: "main")
                           try pull()
                       },
                       audio: { frame, t throws(MediaError) in
                           guard hasSound else { return }
                           frame.pts = Int64((t * 1_000_000).rounded())
                           try filters.send(frame, to: "snd")
                           try pull()
                       })
        try filters.close("main")
        if hasSound { try filters.close("snd") }
        try pull()
        try video.send(nil)
        try audio.send(nil)
        try drain(video, videoStream)
        try drain(audio, audioStream)
        try output.finish()
    }

    /// Encodes whatever the graph has ready on both sinks.
    private func pull() throws(MediaError) {
        if cancellation?.isCancelled == true { throw .cancelled(path: output.path) }
        while try filters.pull("vout", into: pulled) == .frame {
            pulled.pts = frames
            pulled.raw.pointee.pict_type = AV_PICTURE_TYPE_NONE
            frames += 1
            try video.send(pulled)
            try drain(video, videoStream)
        }
        while try filters.pull("aout", into: pulled) == .frame {
            pulled.pts = samples
            samples += Int64(pulled.sampleCount)
            try audio.send(pulled)
            try drain(audio, audioStream)
        }
    }

    private func drain(_ encoder: Encoder, _ stream: Int) throws(MediaError) {
        while try encoder.receive(into: packet) {
            packet.streamIndex = stream
            if stream == videoStream { packet.duration = 1 }
            packet.rescale(from: encoder.timeBase, to: output.timeBase(stream))
            try output.write(packet)
        }
    }
}
