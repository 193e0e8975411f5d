internal import CFFmpeg

/// An owned AVPacket.
final class Packet {
    private(set) var raw: UnsafeMutablePointer<AVPacket>

    init() {
        guard let p = av_packet_alloc() else { fatalError("av_packet_alloc: out of memory") }
        raw = p
    }

    deinit {
        var p: UnsafeMutablePointer<AVPacket>? = raw
        av_packet_free(&p)
    }

    var streamIndex: Int {
        get { Int(raw.pointee.stream_index) }
        set { raw.pointee.stream_index = Int32(newValue) }
    }
    var pts: Int64? {
        get { raw.pointee.pts == TROUPE_AV_NOPTS_VALUE ? nil : raw.pointee.pts }
        set { raw.pointee.pts = newValue ?? TROUPE_AV_NOPTS_VALUE }
    }
    var dts: Int64? {
        get { raw.pointee.dts == TROUPE_AV_NOPTS_VALUE ? nil : raw.pointee.dts }
        set { raw.pointee.dts = newValue ?? TROUPE_AV_NOPTS_VALUE }
    }
    var duration: Int64 {
        get { raw.pointee.duration }
        set { raw.pointee.duration = newValue }
    }
    var isKey: Bool { raw.pointee.flags & TROUPE_PKT_FLAG_KEY != 0 }
    var size: Int { Int(raw.pointee.size) }

    /// Shifts pts/dts by `offset` ticks (in the packet's time base).
    func shift(by offset: Int64) {
        if raw.pointee.pts != TROUPE_AV_NOPTS_VALUE { raw.pointee.pts += offset }
        if raw.pointee.dts != TROUPE_AV_NOPTS_VALUE { raw.pointee.dts += offset }
    }

    func rescale(from source: Rational, to target: Rational) {
        av_packet_rescale_ts(raw, source.av, target.av)
    }

    func unref() { av_packet_unref(raw) }
}

import Foundation

extension Packet {
    /// The packet's payload (for single-image outputs).
    var data: Data { raw.pointee.data.map { Data(bytes: $0, count: size) } ?? Data() }
}
