import Foundation
import TroupeNet

/// A real `moto_server` (S3 emulator) on 127.0.0.1, started once for a suite and killed after it.
///
/// The rule for every test that needs S3: it fails, never skips, when moto_server is missing,
/// with a message naming scripts/bootstrap.sh (which installs it; CI machines have it). A
/// skipped upload test would look like a passing one.
public final class MotoServer: Sendable {
    /// moto_server is not on PATH.
    public struct Missing: Error, CustomStringConvertible {
        public var description: String {
            "moto_server (the S3 emulator these tests upload to) is not on PATH; run scripts/bootstrap.sh to install it"
        }
    }

    let server: ServerProcess
    public let endpoint: String

    @TaskLocal public static var current: MotoServer?

    public static var available: Bool {
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
            .contains { FileManager.default.isExecutableFile(atPath: "\($0)/moto_server") }
    }

    init(server: ServerProcess, endpoint: String) {
        self.server = server
        self.endpoint = endpoint
    }

    public static func launch() async throws -> MotoServer {
        guard available else { throw Missing() }
        let port = try freePort()
        let process = try ServerProcess(["moto_server", "-H", "127.0.0.1", "-p", String(port)])
        let server = MotoServer(server: process, endpoint: "http://127.0.0.1:\(port)")
        let client = HTTPClient(configuration: .init(connectTimeout: .milliseconds(200), timeout: .seconds(2)))
        for _ in 0..<150 {
            if let response = try? await client.send(HTTPRequest(url: server.endpoint + "/")), response.status < 500 { return server }
            try await Task.sleep(for: .milliseconds(100))
        }
        server.terminate()
        throw HTTPError.connectFailed("moto_server did not start on port \(port)")
    }

    public func terminate() { server.stop() }

    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else { throw HTTPError.connectFailed("no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

