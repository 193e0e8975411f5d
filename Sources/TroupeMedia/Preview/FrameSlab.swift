internal import CFFmpeg
import Foundation

/// Memory for the clip pictures a preview keeps (yuv420p, one size), in one anonymous mapping
/// the kernel is asked to back with 2 MB pages. 150 kept 720p pictures are 207 MB: in 4 KB
/// pages that is 50,000 page faults, a sixth of the preview's CPU time, all on the thread
/// that fills them; in 2 MB pages about a hundred. Frames handed out hold the slab alive; it
/// is unmapped when the last is freed.
final class FrameSlab {
    let width: Int, height: Int
    /// Frames the slab holds.
    let capacity: Int
    private let base: UnsafeMutableRawPointer
    private let size: Int
    private let lumaStride: Int, chromaStride: Int, frameBytes: Int
    private var handedOut = 0

    /// Room for `capacity` pictures of `width`×`height` (even sizes); nil when the mapping fails
    /// (the caller allocates frames one by one instead).
    init?(width: Int, height: Int, capacity: Int) {
        guard width > 0, height > 0, capacity > 0 else { return nil }
        self.width = width; self.height = height; self.capacity = capacity
        // Rows aligned as av_frame_get_buffer aligns them, for the SIMD code that reads them.
        lumaStride = (width + 63) & ~63
        chromaStride = ((width + 1) / 2 + 63) & ~63
        frameBytes = (lumaStride * height + 2 * chromaStride * ((height + 1) / 2) + 64 + 63) & ~63
        let huge = 2 << 20
        size = (frameBytes * capacity + huge - 1) / huge * huge
        let mapped = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let mapped, mapped != MAP_FAILED else { return nil }
        base = mapped
        // Advice only: without transparent huge pages the mapping works with small pages.
        _ = madvise(base, size, MADV_HUGEPAGE)
    }

    deinit { munmap(base, size) }

    /// The next picture's memory as a yuv420p frame (contents undefined), or nil when full.
    func next() -> Frame? {
        guard handedOut < capacity else { return nil }
        let start = base.advanced(by: handedOut * frameBytes).assumingMemoryBound(to: UInt8.self)
        handedOut += 1
        let frame = Frame()
        let raw = frame.raw
        raw.pointee.width = Int32(width)
        raw.pointee.height = Int32(height)
        raw.pointee.format = AV_PIX_FMT_YUV420P.rawValue
        let opaque = Unmanaged.passRetained(self).toOpaque()
        guard let buffer = av_buffer_create(start, frameBytes, { opaque, _ in
            Unmanaged<FrameSlab>.fromOpaque(opaque!).release()
        }, opaque, 0) else {
            Unmanaged<FrameSlab>.fromOpaque(opaque).release()
            fatalError("av_buffer_create: out of memory")
        }
        raw.pointee.buf.0 = buffer
        raw.pointee.data.0 = start
        raw.pointee.data.1 = start + lumaStride * height
        raw.pointee.data.2 = start + lumaStride * height + chromaStride * ((height + 1) / 2)
        raw.pointee.linesize.0 = Int32(lumaStride)
        raw.pointee.linesize.1 = Int32(chromaStride)
        raw.pointee.linesize.2 = Int32(chromaStride)
        return frame
    }
}
