internal import CFFmpeg
import TroupeSupport

extension Synth {
    /// Writes an RGBA PNG: a solid `colour` rectangle inside a fully transparent `border` (pixels),
    /// so tests can tell a logo's alpha was kept (the border shows the picture beneath). With no
    /// border it is an opaque card.
    public static func logo(to path: String, width: Int = 200, height: Int = 100, border: Int = 20,
                            colour: (red: UInt8, green: UInt8, blue: UInt8) = (230, 20, 20)) throws(MediaError) {
        guard (2...4096).contains(width), (2...4096).contains(height), border >= 0, 2 * border < min(width, height) else {
            throw .invalidArgument("\(path): logo size \(width)×\(height) with border \(border) is not possible")
        }
        let frame = Frame.video(width: width, height: height, format: AV_PIX_FMT_RGBA)
        for y in 0..<height {
            let row = troupe_frame_data(frame.raw, 0)! + y * Int(troupe_frame_linesize(frame.raw, 0))
            for x in 0..<width {
                let inside = x >= border && x < width - border && y >= border && y < height - border
                row[4 * x] = colour.red; row[4 * x + 1] = colour.green; row[4 * x + 2] = colour.blue
                row[4 * x + 3] = inside ? 255 : 0
            }
        }
        let encoder = try Encoder.rgbaPNG(path: path, width: width, height: height)
        frame.pts = 0
        try encoder.send(frame)
        try encoder.send(nil)
        let packet = Packet()
        guard try encoder.receive(into: packet) else { throw .encodeFailed(path: path, reason: "the PNG encoder produced nothing") }
        try AtomicFile.writeMedia(packet.data, to: path)
    }
}

extension Encoder {
    /// PNG keeping an alpha channel (synthetic logos).
    static func rgbaPNG(path: String, width: Int, height: Int) throws(MediaError) -> Encoder {
        let codec = try find("png", path: path)
        let enc = Encoder(path: path, codec: codec)
        enc.context.pointee.width = Int32(width)
        enc.context.pointee.height = Int32(height)
        enc.context.pointee.pix_fmt = AV_PIX_FMT_RGBA
        enc.context.pointee.time_base = AVRational(num: 1, den: 25)
        try enc.open(codec, options: [:])
        return enc
    }
}
