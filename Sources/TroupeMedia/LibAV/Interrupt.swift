internal import CFFmpeg

/// FFmpeg's AVIOInterruptCB pointed at a `MediaCancellation`; the owner keeps the token alive.
enum Interrupt {
    static func callback(_ token: MediaCancellation?) -> AVIOInterruptCB {
        guard let token else { return AVIOInterruptCB(callback: nil, opaque: nil) }
        return AVIOInterruptCB(
            callback: { opaque in
                guard let opaque else { return 0 }
                return Unmanaged<MediaCancellation>.fromOpaque(opaque).takeUnretainedValue().isCancelled ? 1 : 0
            },
            opaque: Unmanaged.passUnretained(token).toOpaque())
    }
}
