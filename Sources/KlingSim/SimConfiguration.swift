public import Foundation

/// Everything the simulator can be told: accounts, time compression, limits and faults.
/// Durations are in simulated seconds; `timeScale` simulated seconds pass per real second.
/// Decodes from JSON with every key optional (snake_case keys, as the CLI's --config file).
public struct SimConfiguration: Sendable, Codable, Equatable {
    public var host = "127.0.0.1"
    /// 0 picks a free port.
    public var port = 0
    /// Access key → secret key pairs whose JWTs are accepted.
    public var accounts: [String: String] = ["sim-access-key": "sim-secret-key"]
    /// Key accepted by the fal queue routes (`Authorization: Key …`).
    public var falKey = "sim-fal-key"
    public var timeScale = 1.0
    /// Task latency, create to finish, drawn uniformly from this range (simulated seconds).
    public var latencyMin = 30.0
    public var latencyMax = 90.0
    /// Share of the latency spent in `submitted` before `processing`.
    public var submittedFraction = 0.2
    /// Tasks allowed from create until finished per account; above it creates get 1303.
    public var concurrencyLimit = 20
    /// Requests per real second to /v1 routes per account (token bucket); nil = unlimited.
    public var rateLimit: Double?
    public var rateBurst = 10
    /// Sent as `Retry-After` on 1302/1303 when set (Kling does not document one).
    public var retryAfterSeconds: Int?
    /// Probability that a /v1 request answers 500/503/504 without acting.
    public var serverErrorRate = 0.0
    /// Probability that a new task ends `failed`.
    public var failedTaskRate = 0.0
    public var failureMessage = "Image pixel is invalid"
    /// Probability that the connection is closed without a response (after a create took effect).
    public var dropRate = 0.0
    /// Lifetime of result URLs (simulated seconds).
    public var urlExpiry = 86_400.0
    /// Billed seconds handed to the renderer; it answers with the real duration.
    public var billedSeconds = 5.0
    public var seed: UInt64 = 1
    /// Callback bodies wrapped in {code, message, request_id, data} (true) or the bare task (false);
    /// public sources disagree on which Kling sends.
    public var callbackWrapped = true
    /// Units in the account's resource pack: `/account/costs` counts it down as tasks are
    /// charged, and once the charges reach it creates answer 1102. Nil: no pack, no limit.
    public var packUnits: Double?

    // fal queue (see SimState+Fal.swift for what fal documents and what is assumed).
    /// Requests IN_PROGRESS at once per fal key; the rest wait IN_QUEUE, never refused.
    public var falConcurrency = 10
    /// Submits per clock second per fal key (token bucket) before 429 with Retry-After; nil = none.
    public var falRateLimit: Double?
    public var falRateBurst = 10
    /// Simulated seconds after completion during which status and result still answer: fal keeps
    /// results for the payload storage period, 30 days by default.
    public var falResultRetention = 30.0 * 86_400
    /// Probability that a request's runner fails once (a 503 inside fal); fal re-queues it under
    /// the same request id, or ends it with an error when submitted with x-fal-no-retry.
    public var falServerRetryRate = 0.0
    /// Probability that an accepted submit's answer is lost (the connection closes; it still runs).
    public var falDropRate = 0.0
    /// 1-based indices of accepted submits whose answer is lost, for tests.
    public var falDropSubmits: [Int] = []
    /// Probability that a submit answers 503 before queueing anything.
    public var falUnavailableRate = 0.0
    /// Real seconds an accepted submit's answer is held back (a client timing out loses it).
    public var falSlowSubmitSeconds = 0.0
    /// USD per second of output by tier, as Sources/TroupePlan/Pricing/fal.json.
    public var falPricePerSecond: [String: Double] = ["standard": 0.126, "pro": 0.168]

    public init() {}

    public static func decode(json data: Data) throws -> SimConfiguration {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(SimConfiguration.self, from: data)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        func read<T: Decodable>(_ key: CodingKeys, _ into: inout T) throws {
            if let value = try c.decodeIfPresent(T.self, forKey: key) { into = value }
        }
        try read(.host, &host); try read(.port, &port); try read(.accounts, &accounts)
        try read(.falKey, &falKey); try read(.timeScale, &timeScale)
        try read(.latencyMin, &latencyMin); try read(.latencyMax, &latencyMax)
        try read(.submittedFraction, &submittedFraction); try read(.concurrencyLimit, &concurrencyLimit)
        rateLimit = try c.decodeIfPresent(Double.self, forKey: .rateLimit) ?? rateLimit
        try read(.rateBurst, &rateBurst)
        retryAfterSeconds = try c.decodeIfPresent(Int.self, forKey: .retryAfterSeconds) ?? retryAfterSeconds
        try read(.serverErrorRate, &serverErrorRate); try read(.failedTaskRate, &failedTaskRate)
        try read(.failureMessage, &failureMessage); try read(.dropRate, &dropRate)
        try read(.urlExpiry, &urlExpiry); try read(.billedSeconds, &billedSeconds); try read(.seed, &seed)
        try read(.callbackWrapped, &callbackWrapped)
        packUnits = try c.decodeIfPresent(Double.self, forKey: .packUnits) ?? packUnits
        try read(.falConcurrency, &falConcurrency)
        falRateLimit = try c.decodeIfPresent(Double.self, forKey: .falRateLimit) ?? falRateLimit
        try read(.falRateBurst, &falRateBurst); try read(.falResultRetention, &falResultRetention)
        try read(.falServerRetryRate, &falServerRetryRate); try read(.falDropRate, &falDropRate)
        try read(.falDropSubmits, &falDropSubmits); try read(.falUnavailableRate, &falUnavailableRate)
        try read(.falSlowSubmitSeconds, &falSlowSubmitSeconds); try read(.falPricePerSecond, &falPricePerSecond)
    }
}
