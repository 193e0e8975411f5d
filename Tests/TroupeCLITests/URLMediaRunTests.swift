import Foundation
import Testing
import TroupeTestSupport

/// A run whose character image is a URL with a declared sha256, served by a real HTTP server
/// on loopback: the executor downloads it into the cache and renders from it, and refuses a
/// file whose digest is not the one the manifest declares. Child processes are waited for off
/// the cooperative pool (`troupeAsync`), which in-process simulators of other suites need.
@Suite(.serialized) struct URLMediaRunTests {
    struct Site {
        let project: CLIProject
        let server: FetchRemoteTests.Server
        /// The image's real digest.
        let sha256: String
        var url: String { "http://127.0.0.1:\(server.port)/guest.png" }

        init() async throws {
            project = try await offPool { try CLIProject() }
            let site = project.dir.appendingPathComponent("site")
            try FileManager.default.createDirectory(at: site, withIntermediateDirectories: true)
            let image = site.appendingPathComponent("guest.png")
            #expect(try await troupeAsync(["media", "synth", image.path, "--width", "480", "--height", "640"], in: project.dir).status == 0)
            let hash = try await offPool {
                try runPython("import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], 'rb').read()).hexdigest())", [image.path])
            }
            sha256 = hash.output.trimmingCharacters(in: .whitespacesAndNewlines)
            server = try FetchRemoteTests.Server(serving: site)
            try await server.ready()
        }

        /// Adds the guest character, declaring `digest` for its image.
        func declare(_ digest: String) throws {
            let manifest = project.dir.appendingPathComponent("troupe.yaml")
            let text = try String(contentsOf: manifest, encoding: .utf8)
                .replacingOccurrences(of: "  pip:   {image: media/pip.png}",
                                      with: "  pip:   {image: media/pip.png}\n  guest: {image: \"\(url)\", sha256: \(digest)}")
            try text.write(to: manifest, atomically: true, encoding: .utf8)
        }

        func cached(_ sha: String) -> Bool {
            FileManager.default.fileExists(atPath: project.dir.appendingPathComponent(".troupe/cache/sha256/\(sha.prefix(2))/\(sha.dropFirst(2))").path)
        }
    }

    @Test func aURLMediumIsDownloadedOnceIntoTheCacheAndRendered() async throws {
        let site = try await Site()
        try site.declare(site.sha256)
        let run = try await troupeAsync(["run", "--only", "guest/*"], in: site.project.dir)
        #expect(run.status == 0, "\(run.stderr)")
        // Two renders read it; one download, checked and kept by its digest.
        #expect(site.server.gets("guest.png") == 1)
        #expect(site.cached(site.sha256))
        for clip in ["wave", "hop"] {
            #expect(FileManager.default.fileExists(atPath: site.project.dir.appendingPathComponent("out/renders/guest/\(clip).mp4").path))
        }
    }

    @Test func aURLMediumWhoseDigestDiffersFromTheManifestIsRefused() async throws {
        let site = try await Site()
        let declared = String(repeating: "0", count: 64)
        try site.declare(declared)
        let run = try await troupeAsync(["run", "--only", "guest/*"], in: site.project.dir)
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stderr.contains("'\(site.url)' has sha256 \(site.sha256), but the manifest says \(declared); fix the manifest's sha256 or the file"),
                "\(run.stderr)")
        // Nothing rendered from it, and the file is not kept under either digest.
        #expect(!FileManager.default.fileExists(atPath: site.project.dir.appendingPathComponent("out/renders/guest").path))
        #expect(!site.cached(site.sha256) && !site.cached(declared))
    }
}
