import Testing
@testable import TroupeMedia

/// The preview's pieces on their own: the cut-out, the mask cleaning, the path.
@Suite struct PreviewPartsTests {
    /// A `w`×`h` RGBA picture: `figure(x, y)` pixels coloured `ink`, the rest `backdrop(x, y)`.
    static func picture(_ w: Int, _ h: Int, ink: (UInt8, UInt8, UInt8), figure: (Int, Int) -> Bool,
                        backdrop: (Int, Int) -> (UInt8, UInt8, UInt8), alpha: UInt8 = 255) -> [UInt8] {
        var p = [UInt8](repeating: 0, count: w * h * 4)
        for y in 0..<h {
            for x in 0..<w {
                let inside = figure(x, y)
                let (r, g, b) = inside ? ink : backdrop(x, y)
                p[4 * (y * w + x)] = r; p[4 * (y * w + x) + 1] = g; p[4 * (y * w + x) + 2] = b
                p[4 * (y * w + x) + 3] = inside ? 255 : alpha
            }
        }
        return p
    }

    static func disc(_ x: Int, _ y: Int) -> Bool { (x - 50) * (x - 50) + (y - 60) * (y - 60) < 30 * 30 }

    @Test func aFlatBackdropIsCutAwayWithASoftEdge() {
        // JPEG-like noise on the backdrop still fills.
        let p = Self.picture(100, 120, ink: (250, 120, 10), figure: Self.disc) { x, y in (10, UInt8(200 + (x * 7 + y * 3) % 9), 12) }
        let mask = CutoutMask(rgba: p, width: 100, height: 120)
        #expect(!mask.keptOwnAlpha)
        #expect(mask.borderColour.1 >= 200 && mask.borderColour.1 <= 208)
        #expect(mask.alpha[60 * 100 + 50] == 255)          // the disc's centre
        #expect(mask.alpha[5 * 100 + 5] == 0)              // the backdrop
        #expect(mask.alpha[60 * 100 + 20] == 0)            // just outside the disc
        #expect(mask.alpha[60 * 100 + 21] < 128)           // its outermost ring mostly dropped…
        #expect(mask.alpha[60 * 100 + 22] > 0 && mask.alpha[60 * 100 + 22] < 255)  // …the new edge feathered
        let box = mask.opaqueBounds!
        #expect(abs(box.x - 21) <= 2 && abs(box.width - 58) <= 4)
    }

    @Test func aGradientBackdropFillsFromNeighbourToNeighbour() {
        // Like `Synth.image`: the backdrop's colour changes across the picture, the figure's edge is sharp.
        let p = Self.picture(100, 120, ink: (67, 188, 200), figure: Self.disc) { x, y in
            (UInt8(30 + 200 * y / 120), 180, UInt8(255 - 200 * x / 100))
        }
        let mask = CutoutMask(rgba: p, width: 100, height: 120)
        let transparent = mask.alpha.filter { $0 == 0 }.count, figure = (0..<12_000).filter { Self.disc($0 % 100, $0 / 100) }.count
        #expect(abs(12_000 - transparent - figure) < 400)
        #expect(mask.alpha[60 * 100 + 50] == 255)
    }

    @Test func ownAlphaIsKeptAndAFullBleedPhotoStaysWhole() {
        let cut = Self.picture(40, 40, ink: (1, 2, 3), figure: { x, _ in x > 20 }, backdrop: { _, _ in (9, 9, 9) }, alpha: 0)
        let own = CutoutMask(rgba: cut, width: 40, height: 40)
        #expect(own.keptOwnAlpha && own.alpha[5] == 0 && own.alpha[30] == 255)
        // Busy everywhere: the fill cannot take anything, so nothing is cut.
        let busy = Self.picture(40, 40, ink: (0, 0, 0), figure: { _, _ in false }) { x, y in
            (UInt8((x * 97 + y * 31) % 256), UInt8((x * 13 + y * 101) % 256), UInt8((x * 57) % 256))
        }
        #expect(CutoutMask(rgba: busy, width: 40, height: 40).alpha.allSatisfy { $0 == 255 })
    }

    @Test func openingDropsSpecksAndPartsComeLargestFirst() {
        var cells = [UInt8](repeating: 0, count: 20 * 10)
        for y in 2..<8 { for x in 3..<9 { cells[y * 20 + x] = 1 } }      // 6×6 block
        for y in 1..<5 { for x in 13..<17 { cells[y * 20 + x] = 1 } }    // 4×4 block
        cells[9 * 20 + 19] = 1                                          // a speck
        var mask = SubjectMask(columns: 20, rows: 10, cells: cells)
        mask.open()
        mask.close()
        let parts = mask.parts(minArea: 1, motion: [UInt8](repeating: 0, count: 200))
        #expect(parts.count == 2)
        #expect(parts[0].area == 36 && parts[0].minX == 3 && parts[0].maxY == 7)
        #expect(parts[1].area == 16 && parts[1].centreX == 15)
    }

    @Test func gapsAreHeldExceptWhereTheSubjectLeavesOrEnters() {
        let edge = [false, false, true, false, false, false]
        // Held between detections and after a detection away from the edge.
        #expect(SubjectPath.fill([nil, 2, nil, 4, nil, nil], edge: [false, false, false, false, false, false])
                == [2, 2, 2, 4, 4, 4])
        // Last seen at the edge, moving 1 per frame: carried on out.
        #expect(SubjectPath.fill([0, 1, 2, nil, nil, nil], edge: edge) == [0, 1, 2, 3, 4, 5])
        // First seen at the edge: came in from outside at its speed.
        #expect(SubjectPath.fill([nil, nil, 10, 8, 6, 4], edge: edge) == [14, 12, 10, 8, 6, 4])
    }

    @Test func headingTurnsOnlyWhenTheNewDirectionLasts() {
        let there = (0..<20).map(Double.init), back = (0..<20).map { 19 - Double($0) }
        let wobble = there + [17, 15, 17] + (0..<10).map { 19 + Double($0) }
        #expect(SubjectPath.headings(there + back, span: 2, hold: 3, minimum: 1).suffix(15).allSatisfy { $0 == -1 })
        #expect(SubjectPath.headings(there + back, span: 2, hold: 3, minimum: 1).prefix(17).allSatisfy { $0 == 1 })
        #expect(SubjectPath.headings(wobble, span: 2, hold: 3, minimum: 1).allSatisfy { $0 == 1 })
        #expect(SubjectPath.smooth([0, 0, 9, 0, 0], radius: 1) == [0, 3, 3, 3, 0])
    }
}
