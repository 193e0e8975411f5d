import ArgumentParser
import Foundation
import TroupeNet
import TroupeProviders

/// Load generator for scripts/bench-net.sh: keeps N requests in flight through TroupeNet's
/// HTTPClient against a running troupe-sim and reports throughput, latency, extra RSS and
/// threads. Its own executable, so troupe-sim links no client code.
@main
struct TroupeBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "troupe-bench",
                                                    abstract: "Benchmark troupe's HTTP client against a running troupe-sim (internal).")

    @Option(help: "Simulator base URL.") var url: String
    @Option(help: "Requests kept in flight.") var inFlight = 500
    @Option(help: "Total requests.") var requests = 20_000
    @Option(help: "Path to request; default queries one motion-control task.") var path: String?
    @Option var access = "sim-access-key"
    @Option var secret = "sim-secret-key"
    @Option(help: "Also time presigning this many S3 URLs.") var presign = 10_000
    @Flag(help: "Create the task to query, print its URL and a token, and exit (for wrk).") var setupOnly = false

    func run() async throws {
        // Warm the concurrency pool first, so the baseline already has its threads.
        await withTaskGroup(of: Void.self) { group in for _ in 0..<64 { group.addTask { await Task.yield() } } }
        let before = ProcessStatus.read()

        let http = HTTPClient(configuration: .init(connectTimeout: .seconds(5), timeout: .seconds(60)))
        let credentials = KlingCredentials(accessKey: access, secretKey: secret)
        var target = url + (path ?? "")
        if path == nil {
            let kling = KlingClient(credentials: credentials, baseURL: url, http: http)
            let task = try await kling.createMotionControl(MotionControlRequest(
                mode: .std, orientation: .image, imageURL: "https://example.com/i.png", videoURL: "https://example.com/v.mp4",
                externalTaskID: "bench-\(UInt32.random(in: 0...UInt32.max))"))
            target = url + "/v1/videos/motion-control/" + task.taskID
        }
        let request = HTTPRequest(url: target, headers: ["Authorization": "Bearer " + credentials.token()])
        if setupOnly {
            print("target=\(target)")
            print("token=\(credentials.token())")
            return
        }

        let sampler = PeakSampler()
        let sampling = Task { while !Task.isCancelled { sampler.sample(); try? await Task.sleep(for: .milliseconds(20)) } }
        let clock = ContinuousClock()
        let started = clock.now
        let (latencies, failures) = await withTaskGroup(of: (Double, Bool).self) { group in
            var latencies: [Double] = []
            var failures = 0
            latencies.reserveCapacity(requests)
            var issued = 0
            func issue() {
                issued += 1
                group.addTask {
                    let t0 = clock.now
                    let ok = (try? await http.send(request))?.status == 200
                    let elapsed = clock.now - t0
                    return (Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000, ok)
                }
            }
            while issued < min(inFlight, requests) { issue() }
            for await (ms, ok) in group {
                latencies.append(ms)
                if !ok { failures += 1 }
                if issued < requests { issue() }
            }
            return (latencies, failures)
        }
        let seconds = (clock.now - started).seconds
        sampling.cancel()
        sampler.sample()
        let sorted = latencies.sorted()
        func percentile(_ p: Double) -> Double { sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }

        print(String(format: "client.requests=%d client.in_flight=%d client.failures=%d client.seconds=%.2f client.rps=%.0f",
                     requests, inFlight, failures, seconds, Double(requests) / seconds))
        print(String(format: "client.p50_ms=%.2f client.p99_ms=%.2f client.max_ms=%.2f", percentile(0.5), percentile(0.99), sorted.last ?? 0))
        print(String(format: "client.rss_before_mb=%.1f client.rss_peak_mb=%.1f client.rss_extra_mb=%.1f",
                     before.rssMB, sampler.peakRSS, sampler.peakRSS - before.rssMB))
        print("client.threads_before=\(before.threads) client.threads_peak=\(sampler.peakThreads) client.threads_extra=\(sampler.peakThreads - before.threads)")

        if presign > 0 {
            let presigner = S3Presigner(credentials: S3Credentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "bench"), region: "us-east-1")
            let t0 = clock.now, cpu0 = Self.threadCPUSeconds()
            var total = 0
            for i in 0..<presign {
                total &+= presigner.presign(method: "GET", host: "bucket.s3.us-east-1.amazonaws.com", path: "/troupe/\(i)", expires: 3600).utf8.count
            }
            let elapsed = (clock.now - t0).seconds, cpu = Self.threadCPUSeconds() - cpu0
            // CPU time as well as wall time: on a shared machine wall time includes waiting for a core.
            print(String(format: "presign.count=%d presign.seconds=%.4f presign.cpu_seconds=%.4f presign.per_url_us=%.2f (checksum %d)",
                         presign, elapsed, cpu, elapsed / Double(presign) * 1e6, total % 10))
        }
    }
}

extension TroupeBench {
    static func threadCPUSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// VmRSS and Threads from /proc/self/status (Linux).
struct ProcessStatus {
    var rssMB = 0.0
    var threads = 0

    static func read() -> ProcessStatus {
        var status = ProcessStatus()
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return status }
        for line in text.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if line.hasPrefix("VmRSS:"), fields.count > 1 { status.rssMB = (Double(fields[1]) ?? 0) / 1024 }
            if line.hasPrefix("Threads:"), fields.count > 1 { status.threads = Int(fields[1]) ?? 0 }
        }
        return status
    }
}

final class PeakSampler: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var peakRSS = 0.0
    private(set) var peakThreads = 0

    func sample() {
        let now = ProcessStatus.read()
        lock.withLock {
            peakRSS = max(peakRSS, now.rssMB)
            peakThreads = max(peakThreads, now.threads)
        }
    }
}
