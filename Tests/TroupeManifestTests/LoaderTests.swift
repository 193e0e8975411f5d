import Foundation
import Testing
@testable import TroupeManifest

@Suite struct LoaderTests {
    @Test(arguments: ["mascot", "campaign", "remote", "demo/troupe", "demo/deliver"])
    func examplesAreValid(_ name: String) {
        let r = ManifestLoader().load(path: repoRoot.appendingPathComponent("manifests/\(name).yaml").path)
        #expect(r.diagnostics.isEmpty, "\(r.diagnostics.map(\.message))")
        #expect(r.isValid)
    }

    @Test func campaignExampleExpandsAsWritten() throws {
        let r = ManifestLoader().load(path: repoRoot.appendingPathComponent("manifests/campaign.yaml").path)
        let m = try #require(r.manifest), matrix = try #require(r.matrix)
        #expect(matrix.cellCount == 11)
        // bear/spin is excluded; pip/finale is in block 2 with pro mode.
        let c = { (n: String) in m.characters.firstIndex { $0.name == n }! }
        let k = { (n: String) in m.clips.firstIndex { $0.name == n }! }
        #expect(matrix.block(character: c("bear"), clip: k("spin")) == nil)
        #expect(matrix.block(character: c("pip"), clip: k("finale")) == 1)
        #expect(matrix.blocks[1].settings.mode == .pro)
        #expect(matrix.blocks[1].settings.prompt == "slow, graceful, golden hour")
        #expect(matrix.blocks[0].settings.prompt == "soft daylight, pastel backdrop")
        #expect(matrix.blocks[2].settings.orientation == .image)
        #expect(r.outputs.map(\.name) == ["pip-reel", "pip-spring-reel", "bear-reel", "poster-reel", "hero", "everything"])
        let everything = try #require(r.outputs.last)
        #expect(everything.inputs == [.output(0), .output(1), .output(2), .output(3), .output(4)])
        #expect(r.outputs[4].trim == 0...20)
    }

    /// The example of DESIGN §2, with its URL media given digests.
    @Test func designExample() throws {
        let text = """
        troupe: 1
        name: spring-mascot
        provider: {use: preview}
        elements:
          mochi: {from_video: media/mochi-turnaround.mp4, description: "round white cat mascot"}
        characters:
          mochi:        {image: media/mochi.png, element: mochi}
          mochi-winter: {image: media/mochi-winter.png, element: mochi}
        \(remoteCharacter("guest"))
        clips:
          wave:  {video: media/wave.mp4, trim: [1.0, 6.5]}
        \(remoteClip("dance", seconds: 12))
        renders:
          - characters: ["*"]
            clips: ["*"]
            exclude: [{clip: dance}, {character: guest, clip: wave}]
          - characters: [mochi]
            clips: [dance]
            with: {mode: std, prompt: "slow, graceful"}
        outputs:
          - name: reel
            concat: [mochi/wave, mochi/dance]
            trim: [0, 12]
          - name: "{character}-all"
            concat: ["{character}/*"]
          - name: finale
            concat: [mochi-all, reel]
        """
        let r = load(text)
        #expect(r.diagnostics.isEmpty, "\(r.diagnostics.map(\.message))")
        #expect(r.matrix?.cellCount == 3)
        // guest has no renders, so its templated output is dropped.
        #expect(r.outputs.map(\.name) == ["reel", "mochi-all", "mochi-winter-all", "finale"])
        #expect(r.outputs[3].inputs == [.output(1), .output(0)])
        #expect(r.outputs[1].inputs == [.render(character: 0, clip: 0), .render(character: 0, clip: 1)])
    }

    @Test func marksAreOneBasedLineAndColumn() throws {
        let r = load("troupe: 1\nname: x\ncharacters:\n  mochi: {image: a.gif}\n")
        let d = try #require(r.diagnostics.first { $0.code == "unsupported-format" })
        #expect(d.line == 4 && d.column == 18 && d.span == 5)
    }

    @Test func allErrorsAreReportedAtOnce() {
        let r = load("troupe: 1\nname: BAD\nprovider: {use: klingg, mode: max}\ncharacters: {}\nclips: {}\nrenders: []\n")
        #expect(codes(r).filter { $0 != "empty-matrix" }.count >= 3)
        #expect(codes(r).contains("bad-name") && codes(r).contains("invalid-value"))
    }

    @Test func tenMegabyteScalarIsRefusedNotLoaded() {
        let huge = String(repeating: "x", count: 10 * 1024 * 1024)
        let r = load("troupe: 1\nname: big\ndefaults:\n  prompt: \"\(huge)\"\n")
        #expect(codes(r) == ["value-too-large"])
        #expect(r.diagnostics[0].line == 4)
    }

    @Test func deepNestingIsBounded() {
        let r = load("troupe: 1\nx: " + String(repeating: "[", count: 100_000))
        #expect(codes(r) == ["too-deep"])
    }

    @Test func aliasesExpandAndMergeKeysApply() throws {
        let text = """
        troupe: 1
        name: merge
        base: &base {mode: pro, prompt: "shared"}
        characters:
        \(remoteCharacter("mochi"))
        clips:
        \(remoteClip("wave"))
        renders:
          - characters: ["*"]
            clips: ["*"]
            with: {<<: *base, prompt: "own"}
        """
        // 'base' is not a manifest key: the anchor is reported, but the merge still resolves.
        let r = load(text)
        #expect(codes(r) == ["unknown-key"])
        let block = try #require(r.matrix?.blocks.first)
        #expect(block.settings.mode == .pro)
        #expect(block.settings.prompt == "own")
    }

    @Test func unknownAliasIsReported() {
        #expect(codes(load("troupe: 1\nname: *nothing\n")) == ["unknown-alias"])
    }

    @Test func remoteProviderNeedsUploadsForLocalMedia() {
        let text = """
        troupe: 1
        name: up
        provider: {use: kling}
        characters:
          mochi: {image: media/mochi.png}
        clips:
        \(remoteClip("wave"))
        renders: [{characters: ["*"], clips: ["*"]}]
        """
        #expect(codes(load(text)) == ["uploads-required"])
        #expect(codes(load(text.replacingOccurrences(of: "use: kling", with: "use: preview"))).isEmpty)
    }

    @Test func clipLengthLimitsFollowOrientation() throws {
        let text = """
        troupe: 1
        name: lengths
        defaults: {orientation: image}
        characters:
        \(remoteCharacter("mochi"))
        clips:
        \(remoteClip("long", seconds: 34.2))
        \(remoteClip("ok", seconds: 40, extra: ", trim: [0, 9.5]"))
        \(remoteClip("short", seconds: 2.5))
        renders: [{characters: ["*"], clips: ["*"]}]
        """
        let r = load(text)
        #expect(codes(r) == ["clip-too-long", "clip-too-short"])
        #expect(r.diagnostics[0].message == "clip 'long' is 34.2 s long; orientation 'image' allows at most 10 s")
        #expect(r.diagnostics[0].hint == "trim it (clips.long.trim) or use orientation: video (up to 30 s)")
    }

    @Test func trimMustStayInsideADeclaredDuration() {
        let text = """
        troupe: 1
        name: t
        characters:
        \(remoteCharacter("mochi"))
        clips:
        \(remoteClip("wave", seconds: 6, extra: ", trim: [1, 7]"))
        renders: [{characters: ["*"], clips: ["*"]}]
        """
        #expect(codes(load(text)) == ["trim-outside-clip"])
    }

    @Test func elementReferenceVideoMustBeThreeToEightSeconds() {
        let text = """
        troupe: 1
        name: e
        elements:
          mochi: {from_video: "https://cdn.example.com/t.mp4", sha256: \(sha), duration: 9}
        characters:
        \(remoteCharacter("mochi", element: "mochi"))
        clips:
        \(remoteClip("wave"))
        renders: [{characters: ["*"], clips: ["*"]}]
        """
        #expect(codes(load(text)) == ["out-of-range"])
    }

    @Test func plainHTTPEndpointOnlyOnLoopback() {
        #expect(ManifestDecoder.endpointProblem("http://127.0.0.1:9000") == nil)
        #expect(ManifestDecoder.endpointProblem("http://localhost:9000/") == nil)
        #expect(ManifestDecoder.endpointProblem("https://s3.example.com") == nil)
        #expect(ManifestDecoder.endpointProblem("http://10.0.0.5:9000") != nil)
        #expect(ManifestDecoder.endpointProblem("ftp://x") != nil)
    }

    @Test func withCannotChangeTheProvider() throws {
        let text = """
        troupe: 1
        name: w
        characters:
        \(remoteCharacter("mochi"))
        clips:
        \(remoteClip("wave"))
        renders: [{characters: ["*"], clips: ["*"], with: {use: fal}}]
        """
        let d = try #require(load(text).diagnostics.first)
        #expect(d.code == "unknown-key")
        #expect(d.hint?.contains("one provider per manifest") == true)
    }

    @Test func namesFollowTheRule() {
        #expect(ManifestDecoder.isValidName("mochi-2"))
        #expect(ManifestDecoder.isValidName("0"))
        #expect(!ManifestDecoder.isValidName("-mochi"))
        #expect(!ManifestDecoder.isValidName("Mochi"))
        #expect(!ManifestDecoder.isValidName(String(repeating: "a", count: 64)))
        #expect(ManifestDecoder.isValidName(String(repeating: "a", count: 63)))
        #expect(ManifestDecoder.suggestedName("Spring Launch!") == "spring-launch")
    }

    @Test func suggestionsPreferCloseSameLengthWords() {
        #expect(Suggestion.closest(to: "modle", in: ["mode", "model", "region"]) == "model")
        #expect(Suggestion.closest(to: "exlude", in: ManifestKeys.renderBlock) == "exclude")
        #expect(Suggestion.closest(to: "zzzzzz", in: ManifestKeys.root) == nil)
        #expect(Suggestion.distance("kitten", "sitting", limit: 5) == 3)
    }

    @Test func globsMatchLikeAShell() {
        #expect(Glob.matches("*", "anything"))
        #expect(Glob.matches("guest-*", "guest-a"))
        #expect(!Glob.matches("guest-*", "mochi"))
        #expect(Glob.matches("m?chi", "mochi"))
        #expect(Glob.matches("*-all", "mochi-all"))
        #expect(!Glob.matches("*-all", "mochi-al"))
    }

    @Test func missingManifestFileIsADiagnostic() {
        let r = ManifestLoader().load(path: "/nonexistent/troupe.yaml")
        #expect(codes(r) == ["no-manifest"])
    }
}

@Suite struct FileExtensionTests {
    @Test(arguments: [("a.gif", "gif"), ("media/x.PNG", "png"), ("https://c.example/x.mp4?sig=1.2", "mp4"),
                      ("noext", ""), (".hidden", ""), ("", ""), ("dir.d/file", ""), ("https://c.example/v.mov#t=1", "mov")])
    func extensions(_ input: String, _ expected: String) {
        #expect(ManifestDecoder.fileExtension(input) == expected)
    }
}
