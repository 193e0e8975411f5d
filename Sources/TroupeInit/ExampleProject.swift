import Foundation
import TroupeMedia
import TroupeManifest
import TroupeSupport

/// `troupe init`: a small working project — a manifest and media synthesized on the spot —
/// that validates, plans and runs on the preview provider with no account.
public enum ExampleProject {
    public static let manifest = """
    # yaml-language-server: $schema=.troupe-schema/manifest.schema.json
    # A demo campaign: two mascots over two motion clips, rendered locally by the free
    # preview provider. Try: troupe plan, then troupe run. Switch provider.use to kling
    # (and add uploads:) to render for real.
    troupe: 1
    name: demo-mascots
    provider: {use: preview, model: kling-v3, mode: std}
    budget: {max_units: 50, usd_per_unit: 0.14}
    defaults:
      orientation: video
      keep_sound: true
      prompt: "studio lighting, clean background"
    elements:
      mochi: {from_video: media/mochi-turnaround.mp4, description: "round white cat mascot"}
    characters:
      mochi: {image: media/mochi.png, element: mochi}
      pip:   {image: media/pip.png}
    clips:
      wave: {video: media/wave.mp4, trim: [0.5, 4.5]}
      hop:  {video: media/hop.mp4}
    renders:
      - characters: ["*"]
        clips: ["*"]
    outputs:
      - name: "{character}-reel"
        concat: ["{character}/*"]
      - name: showreel
        concat: ["*-reel"]
        trim: [0, 12]

    """

    /// Where `troupe init` puts the manifest schema, relative to the project; the manifest's
    /// first line points its `$schema` here.
    public static let schemaPath = ".troupe-schema/manifest.schema.json"

    public struct Exists: Error, CustomStringConvertible {
        public var path: String
        public var description: String { "\(path) already exists; troupe init writes only into an empty project" }
    }

    /// Writes the project into `directory` (created if needed); refuses to overwrite a manifest.
    public static func write(to directory: String) throws {
        let manifestPath = directory + "/troupe.yaml"
        if FileManager.default.fileExists(atPath: manifestPath) { throw Exists(path: manifestPath) }
        let media = directory + "/media"
        try FileManager.default.createDirectory(atPath: media, withIntermediateDirectories: true)
        try Synth.image(to: media + "/mochi.png", width: 480, height: 640, seed: 1)
        try Synth.image(to: media + "/pip.png", width: 480, height: 640, seed: 2)
        try Synth.video(to: media + "/wave.mp4", width: 480, height: 360, fps: 24, seconds: 6, gop: 24,
                        tone: .init(frequency: 440), seed: 3)
        try Synth.video(to: media + "/hop.mp4", width: 480, height: 360, fps: 24, seconds: 5, gop: 24,
                        tone: .init(frequency: 660), seed: 4)
        try Synth.video(to: media + "/mochi-turnaround.mp4", width: 360, height: 480, fps: 24, seconds: 4, gop: 24,
                        tone: nil, seed: 5)
        // A copy of the schema in the project (committed with it, beside no other tool's files):
        // an editor's YAML support loads it offline, and it matches the troupe that wrote it.
        try AtomicFile.write(Array((ManifestSchema.json + "\n").utf8), to: directory + "/" + schemaPath)
        try AtomicFile.write(Array(manifest.utf8), to: manifestPath)
        let ignore = directory + "/.gitignore"
        if !FileManager.default.fileExists(atPath: ignore) {
            // Without a trailing slash: a symlink named out or .troupe is ignored too, so a
            // repository cannot commit one that points troupe's writes elsewhere.
            try AtomicFile.write(Array(".troupe\nout\n".utf8), to: ignore)
        }
    }
}
