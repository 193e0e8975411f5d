/// Draws the character on a dimmed preview frame where the subject's path says, as tall as the
/// subject (within sensible bounds), centred on it, facing the way the path says.
struct PreviewCompositor {
    let cutout: CharacterCutout
    let path: SubjectPath
    /// `orientation: video`: mirror the picture while the subject heads the other way from the
    /// way it first went (the picture is taken to face that first way).
    let mirrors: Bool
    let width: Int, height: Int

    /// The character's height in frame `k`: the subject's, rounded to 4 px so that a subject
    /// whose size drifts reuses a few scaled pictures, and kept between 8 % and 100 % of the frame.
    func characterHeight(at k: Int) -> Int {
        let place = path.places[min(k, path.places.count - 1)]
        let bounded = min(Double(height), max(Double(height) * 0.08, place.height))
        return max(4, Int((bounded / 4).rounded()) * 4)
    }

    func isMirrored(at k: Int) -> Bool {
        guard mirrors, let first = path.places.first?.heading, first != 0 else { return false }
        let heading = path.places[min(k, path.places.count - 1)].heading
        return heading != 0 && heading != first
    }

    func draw(on frame: Frame, at k: Int) throws(MediaError) {
        let place = path.places[min(k, path.places.count - 1)]
        let picture = try cutout.picture(height: characterHeight(at: k), mirrored: isMirrored(at: k))
        // Even corners (4:2:0 chroma); a negative corner rounds down, staying even.
        let x = Int((place.x - Double(picture.width) / 2).rounded(.down)) & ~1
        let y = Int((place.y - Double(picture.height) / 2).rounded(.down)) & ~1
        frame.blendClipped(picture, x: x, y: y)
    }
}
