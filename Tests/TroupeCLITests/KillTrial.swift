import Foundation
import Testing

/// A crash trial's killing: runs launched one after another, each SIGKILLed at a random moment
/// 100 ms to `100 + spreadMs` ms after it starts (the seed printed, to replay a failure), until
/// `kills` kills or three runs that finished before their moment. Every run ends killed, or
/// with 0 or 1. `launch` gets the number of kills so far. Answers the kills made.
func killAtRandomMoments(_ trial: String, kills target: Int, spreadMs: Double,
                         launch: (Int) throws -> Process) async throws -> Int {
    var seed = UInt64(Date().timeIntervalSince1970 * 1000)
    print("\(trial) seed \(seed)")
    func random() -> Double {
        seed = seed &* 6364136223846793005 &+ 1442695040888963407
        return Double(seed >> 11) / Double(1 << 53)
    }
    var kills = 0, finishedEarly = 0
    while kills < target && finishedEarly < 3 {
        let p = try launch(kills)
        try await Task.sleep(for: .milliseconds(Int(100 + random() * spreadMs)))
        if p.isRunning {
            kill(p.processIdentifier, SIGKILL)
            kills += 1
        } else {
            finishedEarly += 1
        }
        p.waitUntilExit()
        #expect(p.terminationReason == .uncaughtSignal || p.terminationStatus == 0 || p.terminationStatus == 1)
    }
    return kills
}
