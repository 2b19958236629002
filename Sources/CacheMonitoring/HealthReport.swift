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
    /// Seconds since 1970.
    public var checkedAt: Double

    /// `ok` without firing alerts, `critical` with a critical one, `degraded` otherwise.
    public var status: String
    /// Alerts of this service firing now.
    public var alerts: [Alert] {
        didSet { status = Self.status(alerts) }
    }

    static func status(_ alerts: [Alert]) -> String {
        if alerts.contains(where: { $0.severity == .critical }) { return "critical" }
        return alerts.isEmpty ? "ok" : "degraded"
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
        status = Self.status(alerts)
        self.checkedAt = checkedAt
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
