internal import CFFmpeg

/// A libavfilter graph (AVFilterGraph) built from a description string, as FFmpeg's
/// `doc/examples/filtering_video.c` does: frames go into named `buffer`/`abuffer` sources and
/// come out of named `buffersink`/`abuffersink` sinks. The description names them by label
/// (`[main]scale=…[vout]`); the graph and its filters are freed in deinit.
final class FilterGraph {
    /// What a source is fed with: the decoded frames' format and time base.
    enum Source {
        case video(label: String, width: Int, height: Int, format: AVPixelFormat, timeBase: Rational,
                   frameRate: Rational?)
        case audio(label: String, sampleRate: Int, format: AVSampleFormat, channels: Int, timeBase: Rational)

        var label: String {
            switch self {
            case .video(let label, _, _, _, _, _), .audio(let label, _, _, _, _): label
            }
        }
    }

    /// Where frames come out; `frameSize` makes an audio sink hand out frames of exactly that
    /// many samples (the AAC encoder's 1024), the last one shorter.
    enum Sink {
        case video(label: String)
        case audio(label: String, frameSize: Int?)

        var label: String {
            switch self {
            case .video(let label), .audio(let label, _): label
            }
        }
    }

    /// What a pull from a sink gave.
    enum Pull { case frame, needsInput, ended }

    let description: String
    let path: String
    private var graph: UnsafeMutablePointer<AVFilterGraph>?
    private var sources: [String: UnsafeMutablePointer<AVFilterContext>] = [:]
    private var sinks: [String: UnsafeMutablePointer<AVFilterContext>] = [:]

    /// `path` names the file the graph works for, in errors. `threads` 0 lets libavfilter choose.
    init(_ description: String, sources: [Source], sinks: [Sink], threads: Int = 0, path: String) throws(MediaError) {
        _ = LibAVLog.quiet
        self.description = description
        self.path = path
        if let why = troupe_avfilter_load() {
            throw .encodeFailed(path: path, reason: "libavfilter is needed for this step and could not be loaded (\(String(cString: why))); install it (Debian: apt-get install libavfilter8)")
        }
        guard let made = troupe_avfilter_graph_alloc() else { fatalError("avfilter_graph_alloc: out of memory") }
        graph = made
        made.pointee.nb_threads = Int32(threads)
        for source in sources { self.sources[source.label] = try create(source) }
        for sink in sinks { self.sinks[sink.label] = try create(sink) }
        try parse(sources: sources, sinks: sinks)
        try check(troupe_avfilter_graph_config(made, nil)) { .encodeFailed(path: path, reason: "filter graph: \($0)") }
        for case .audio(let label, let size?) in sinks { troupe_av_buffersink_set_frame_size(self.sinks[label]!, UInt32(size)) }
    }

    deinit { troupe_avfilter_graph_free(&graph) }

    private var context: UnsafeMutablePointer<AVFilterGraph> { graph! }

    private func create(_ source: Source) throws(MediaError) -> UnsafeMutablePointer<AVFilterContext> {
        switch source {
        case .video(let label, let w, let h, let format, let tb, let rate):
            var args = "video_size=\(w)x\(h):pix_fmt=\(format.rawValue):time_base=\(tb.num)/\(tb.den):pixel_aspect=1/1"
            if let rate, rate.isValid { args += ":frame_rate=\(rate.num)/\(rate.den)" }
            return try filter("buffer", name: label, args: args)
        case .audio(let label, let rate, let format, let channels, let tb):
            let args = "time_base=\(tb.num)/\(tb.den):sample_rate=\(rate):sample_fmt=\(Self.name(of: format))"
                + ":channel_layout=\(Self.layout(channels: channels))"
            return try filter("abuffer", name: label, args: args)
        }
    }

    private func create(_ sink: Sink) throws(MediaError) -> UnsafeMutablePointer<AVFilterContext> {
        switch sink {
        case .video(let label): try filter("buffersink", name: label, args: nil)
        case .audio(let label, _): try filter("abuffersink", name: label, args: nil)
        }
    }

    private func filter(_ kind: String, name: String, args: String?) throws(MediaError) -> UnsafeMutablePointer<AVFilterContext> {
        var made: UnsafeMutablePointer<AVFilterContext>?
        let code = troupe_avfilter_graph_create_filter(&made, troupe_avfilter_get_by_name(kind), name, args, nil, context)
        guard code >= 0, let made else {
            throw .encodeFailed(path: path, reason: "filter graph: \(kind) '\(name)': \(AVResult.message(code))")
        }
        return made
    }

    /// Links the description's open labels to the sources and sinks of the same names.
    private func parse(sources: [Source], sinks: [Sink]) throws(MediaError) {
        // The parser's "outputs" are the open outputs of what exists already: our sources.
        var opened = Self.chain(sources.map { ($0.label, self.sources[$0.label]!) })
        var closing = Self.chain(sinks.map { ($0.label, self.sinks[$0.label]!) })
        let code = troupe_avfilter_graph_parse_ptr(context, description, &closing, &opened, nil)
        troupe_avfilter_inout_free(&opened)
        troupe_avfilter_inout_free(&closing)
        try check(code) { .encodeFailed(path: path, reason: "filter graph '\(description)': \($0)") }
    }

    private static func chain(_ ends: [(String, UnsafeMutablePointer<AVFilterContext>)]) -> UnsafeMutablePointer<AVFilterInOut>? {
        var head: UnsafeMutablePointer<AVFilterInOut>?
        for (label, filter) in ends.reversed() {
            guard let io = troupe_avfilter_inout_alloc() else { fatalError("avfilter_inout_alloc: out of memory") }
            io.pointee.name = av_strdup(label)
            io.pointee.filter_ctx = filter
            io.pointee.pad_idx = 0
            io.pointee.next = head
            head = io
        }
        return head
    }

    /// Feeds a frame to a source; the caller keeps its frame (libavfilter takes a reference).
    func send(_ frame: Frame, to label: String) throws(MediaError) {
        let code = troupe_av_buffersrc_add_frame_flags(sources[label]!, frame.raw, Int32(AV_BUFFERSRC_FLAG_KEEP_REF))
        try check(code) { .encodeFailed(path: path, reason: "filter graph input '\(label)': \($0)") }
    }

    /// Tells a source no more frames come.
    func close(_ label: String) throws(MediaError) {
        let code = troupe_av_buffersrc_add_frame_flags(sources[label]!, nil, 0)
        try check(code) { .encodeFailed(path: path, reason: "filter graph input '\(label)': \($0)") }
    }

    /// Takes the next frame a sink has.
    func pull(_ label: String, into frame: Frame) throws(MediaError) -> Pull {
        frame.unref()
        let code = troupe_av_buffersink_get_frame_flags(sinks[label]!, frame.raw, 0)
        if code == AVResult.again { return .needsInput }
        if code == AVResult.eof { return .ended }
        try check(code) { .encodeFailed(path: path, reason: "filter graph output '\(label)': \($0)") }
        return .frame
    }

    /// The time base of the frames a sink hands out (valid once the graph is configured).
    func timeBase(of label: String) -> Rational { Rational(troupe_av_buffersink_get_time_base(sinks[label]!)) }

    static func name(of format: AVSampleFormat) -> String {
        av_get_sample_fmt_name(format).map { String(cString: $0) } ?? "fltp"
    }

    /// FFmpeg's name of the usual layout of `channels` channels ("mono", "stereo", …).
    static func layout(channels: Int) -> String {
        var layout = AVChannelLayout()
        av_channel_layout_default(&layout, Int32(max(1, channels)))
        defer { av_channel_layout_uninit(&layout) }
        var buffer = [CChar](repeating: 0, count: 64)
        let written = buffer.withUnsafeMutableBufferPointer { av_channel_layout_describe(&layout, $0.baseAddress, $0.count) }
        return written > 0 ? buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) } : "stereo"
    }
}

extension Frame {
    /// A value a filter attached to the frame (`lavfi.r128.I` from ebur128).
    func metadata(_ key: String) -> String? {
        guard let entry = av_dict_get(raw.pointee.metadata, key, nil, 0) else { return nil }
        return String(cString: entry.pointee.value)
    }
}
