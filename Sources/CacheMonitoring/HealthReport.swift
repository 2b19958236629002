import CacheClient
import CacheRuntime
import CacheWarmup

/// One service's cache health (``CacheMonitor/health()``), as served by `GET /cache/health`.
public struct HealthReport: Sendable, Codable, Hashable {
    public struct Memory: Sendable, Codable, Hashable {
        /// `instance`: Redis's `used_memory` (the service owns the instance); `estimate`: from a
        /// keyspace audit's sampling.
        public var source: String
        public var usedBytes: Int
        public var budgetBytes: Int
        /// Used over budget.
        public var share: Double
    }

    public struct Job: Sendable, Codable, Hashable {
        public var name: String
        public var state: String
        public var lastOutcome: String?
        public var lastStart: Double?
        public var lastDurationSeconds: Double?
        public var entriesWritten: Int
        public var failures: Int
        public var lastError: String?
        public var nextRun: Double?
    }

    public var service: String
    /// Redis answered the last check.
    public var connected: Bool
    /// The circuit breaker of `fetch`: `closed`, `open` or `half-open`.
    public var breaker: String
    /// Over the statistics window (``CacheClient/statisticsWindow``).
    public var windowSeconds: Double
    public var requests: Int
    public var hitRate: Double?
    public var errorRate: Double?
    public var p50Seconds: Double?
    public var p99Seconds: Double?
    public var memory: Memory?
    public var warmup: [Job]
    /// Alerts of this service firing now.
    public var alerts: [Alert]
    /// Seconds since 1970.
    public var checkedAt: Double

    /// `ok` without firing alerts, `critical` with a critical one, `degraded` otherwise.
    public var status: String {
        if alerts.contains(where: { $0.severity == .critical }) { return "critical" }
        return alerts.isEmpty ? "ok" : "degraded"
    }

    private enum CodingKeys: String, CodingKey {
        case service, status, connected, breaker, windowSeconds, requests, hitRate, errorRate, p50Seconds, p99Seconds, memory, warmup, alerts, checkedAt
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(service, forKey: .service)
        try container.encode(status, forKey: .status)
        try container.encode(connected, forKey: .connected)
        try container.encode(breaker, forKey: .breaker)
        try container.encode(windowSeconds, forKey: .windowSeconds)
        try container.encode(requests, forKey: .requests)
        try container.encode(hitRate, forKey: .hitRate)
        try container.encode(errorRate, forKey: .errorRate)
        try container.encode(p50Seconds, forKey: .p50Seconds)
        try container.encode(p99Seconds, forKey: .p99Seconds)
        try container.encode(memory, forKey: .memory)
        try container.encode(warmup, forKey: .warmup)
        try container.encode(alerts, forKey: .alerts)
        try container.encode(checkedAt, forKey: .checkedAt)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        service = try container.decode(String.self, forKey: .service)
        connected = try container.decode(Bool.self, forKey: .connected)
        breaker = try container.decode(String.self, forKey: .breaker)
        windowSeconds = try container.decode(Double.self, forKey: .windowSeconds)
        requests = try container.decode(Int.self, forKey: .requests)
        hitRate = try container.decodeIfPresent(Double.self, forKey: .hitRate)
        errorRate = try container.decodeIfPresent(Double.self, forKey: .errorRate)
        p50Seconds = try container.decodeIfPresent(Double.self, forKey: .p50Seconds)
        p99Seconds = try container.decodeIfPresent(Double.self, forKey: .p99Seconds)
        memory = try container.decodeIfPresent(Memory.self, forKey: .memory)
        warmup = try container.decode([Job].self, forKey: .warmup)
        alerts = try container.decode([Alert].self, forKey: .alerts)
        checkedAt = try container.decode(Double.self, forKey: .checkedAt)
    }

    init(
        service: String, connected: Bool, breaker: String, windowSeconds: Double, statistics: ServiceStatistics.Snapshot,
        memory: Memory?, warmup: [Job], alerts: [Alert], checkedAt: Double
    ) {
        self.service = service
        self.connected = connected
        self.breaker = breaker
        self.windowSeconds = windowSeconds
        requests = statistics.requests
        hitRate = statistics.hitRate
        errorRate = statistics.errorRate
        p50Seconds = statistics.latency(quantile: 0.5).map(Self.seconds)
        p99Seconds = statistics.latency(quantile: 0.99).map(Self.seconds)
        self.memory = memory
        self.warmup = warmup
        self.alerts = alerts
        self.checkedAt = checkedAt
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
