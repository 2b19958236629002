import CacheClient
import CacheRuntime
import CacheWarmup
import CoreMetrics
import Foundation
import Logging
import NIOConcurrencyHelpers
import RESP
import ServiceLifecycle

/// Watches the cache of one or more services: every ``Settings/interval`` it asks Redis for `INFO`
/// (reporting its gauges through swift-metrics), builds each service's ``HealthReport`` and
/// evaluates the policies' alert thresholds (``AlertThresholds``, each with its `for:`) plus the
/// critical alert for an unreachable Redis. Transitions stream from ``transitions`` and are
/// logged. A swift-service-lifecycle `Service`.
public final class CacheMonitor: Service, Sendable {
    /// Where a service's memory use comes from, to compare with its declared `memory:` budget.
    public enum MemorySource: Sendable, Hashable {
        /// The service owns its Redis instance: `used_memory` from `INFO`.
        case instance
        /// Shared instances: the estimates a keyspace audit made (``setMemoryEstimate(_:service:)``).
        case estimates
    }

    public struct Settings: Sendable, Hashable {
        public var interval: Duration
        public var memory: MemorySource
        /// How long Redis must be unreachable before the critical alert fires.
        public var unreachableFor: Duration

        public init(interval: Duration = .seconds(10), memory: MemorySource = .estimates, unreachableFor: Duration = .seconds(30)) {
            self.interval = interval
            self.memory = memory
            self.unreachableFor = unreachableFor
        }
    }

    public let cache: CacheClient
    public let services: [ServicePolicy]
    public let warmup: WarmupRunner?
    public let settings: Settings
    public let logger: Logger
    private let infoMetrics: RedisInfoMetrics
    private let gauges: [String: (up: Gauge, used: Gauge, budget: Gauge)]
    private let origin = ContinuousClock.now
    private let state = NIOLockedValueBox(State())
    private let stream: AsyncStream<AlertTransition>
    private let continuation: AsyncStream<AlertTransition>.Continuation

    struct State {
        var evaluator = AlertEvaluator()
        var reports: [HealthReport] = []
        var estimates: [String: Int] = [:]
        var lastInfo: RedisInfo?
    }

    public init(
        cache: CacheClient, services: [ServicePolicy], warmup: WarmupRunner? = nil, settings: Settings = Settings(),
        metrics: (any MetricsFactory)? = nil, logger: Logger = Logger(label: "cachepolicy.monitor")
    ) {
        self.cache = cache
        self.services = services
        self.warmup = warmup
        self.settings = settings
        self.logger = logger
        let factory = metrics ?? MetricsSystem.factory
        infoMetrics = RedisInfoMetrics(factory: factory)
        gauges = Dictionary(uniqueKeysWithValues: services.map { policy in
            let labels = [("service", policy.name)]
            return (policy.name, (
                Gauge(label: "cachepolicy_redis_up", dimensions: labels, factory: factory),
                Gauge(label: "cachepolicy_memory_used_bytes", dimensions: labels, factory: factory),
                Gauge(label: "cachepolicy_memory_budget_bytes", dimensions: labels, factory: factory)))
        })
        (stream, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1_000))
    }

    /// Alerts firing and resolving, as they happen (newest 1,000 kept for a slow reader).
    public var transitions: AsyncStream<AlertTransition> { stream }

    /// The reports of the last check, one per service.
    public func health() -> [HealthReport] { state.withLockedValue { $0.reports } }

    /// Alerts firing now.
    public func firingAlerts() -> [Alert] { state.withLockedValue { $0.evaluator.firing } }

    /// The last `INFO` sample, if Redis answered one.
    public var lastInfo: RedisInfo? { state.withLockedValue { $0.lastInfo } }

    /// A service's memory use as a keyspace audit estimated it (with ``MemorySource/estimates``).
    public func setMemoryEstimate(_ bytes: Int, service: String) {
        state.withLockedValue { $0.estimates[service] = bytes }
    }

    /// Checks until cancelled or the service group shuts down.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                _ = await self.check()
                try? await Task.sleep(for: self.settings.interval)
            }
        }
        continuation.finish()
    }

    /// One check now: samples `INFO`, builds the reports, evaluates the alerts; returns the reports.
    @discardableResult
    public func check() async -> [HealthReport] {
        var info: RedisInfo?
        do {
            // On a cluster, every primary's: the service's data is spread over all of them.
            var samples: [RedisInfo] = []
            for primary in try await cache.redis.primaries() {
                guard let sample = try await primary.send(RESPCommand("INFO", "all")).string.flatMap(RedisInfo.init(parsing:)) else {
                    throw RedisError("INFO returned no used_memory")
                }
                samples.append(sample)
            }
            info = RedisInfo.combined(samples)
        } catch {
            logger.debug("INFO failed", metadata: ["error": "\(error)"])
        }
        if let info { infoMetrics.record(info) }
        let connected = info != nil
        let now = ContinuousClock.now - origin
        let wallClock = Date().timeIntervalSince1970
        let breaker: String
        switch cache.breakerState {
        case .closed: breaker = "closed"
        case .open: breaker = "open"
        case .halfOpen: breaker = "half-open"
        }
        let jobs = warmup?.status() ?? []
        let estimates = state.withLockedValue { $0.estimates }
        var drafts: [HealthReport] = []
        var observations: [AlertEvaluator.Observation] = []
        for policy in services {
            let statistics = cache.statistics(for: policy.name)
            let memory = memoryUse(policy, info: info, estimates: estimates)
            let report = HealthReport(
                service: policy.name, connected: connected, breaker: breaker, windowSeconds: HealthReport.seconds(cache.statisticsWindow),
                statistics: statistics, memory: memory,
                warmup: jobs.filter { $0.id.service == policy.name }.map(Self.job), alerts: [], checkedAt: wallClock)
            drafts.append(report)
            if let gauges = gauges[policy.name] {
                gauges.up.record(connected ? 1 : 0)
                if let memory { gauges.used.record(memory.usedBytes) }
                if let budget = policy.memoryBudget { gauges.budget.record(budget) }
            }
            observations += Self.observations(policy, report, unreachableFor: settings.unreachableFor)
        }
        let (transitions, firing) = state.withLockedValue { state in
            let transitions = state.evaluator.evaluate(observations, at: now, wallClock: wallClock)
            return (transitions, state.evaluator.firing)
        }
        let reports = drafts.map { draft in
            var report = draft
            report.alerts = firing.filter { $0.service == draft.service }
            return report
        }
        state.withLockedValue {
            $0.reports = reports
            if let info { $0.lastInfo = info }
        }
        for transition in transitions {
            switch transition {
            case .fired(let alert):
                let metadata: Logger.Metadata = ["service": "\(alert.service)", "alert": "\(alert.name.rawValue)", "observed": "\(alert.observed.map { "\($0)" } ?? "-")"]
                if alert.severity == .critical {
                    logger.critical("cache alert firing: \(alert.condition)", metadata: metadata)
                } else {
                    logger.warning("cache alert firing: \(alert.condition)", metadata: metadata)
                }
            case .resolved(let alert):
                logger.info("cache alert resolved: \(alert.condition)", metadata: ["service": "\(alert.service)", "alert": "\(alert.name.rawValue)"])
            }
            continuation.yield(transition)
        }
        return reports
    }

    private func memoryUse(_ policy: ServicePolicy, info: RedisInfo?, estimates: [String: Int]) -> HealthReport.Memory? {
        guard let budget = policy.memoryBudget, budget > 0 else { return nil }
        let used: Int?
        let source: String
        switch settings.memory {
        case .instance: (used, source) = (info?.usedMemory, "instance")
        case .estimates: (used, source) = (estimates[policy.name], "estimate")
        }
        guard let used else { return nil }
        return HealthReport.Memory(source: source, usedBytes: used, budgetBytes: budget, share: Double(used) / Double(budget))
    }

    static func job(_ status: WarmupJobStatus) -> HealthReport.Job {
        let state: String
        switch status.state {
        case .idle: state = "idle"
        case .pending: state = "pending"
        case .running: state = "running"
        }
        return HealthReport.Job(
            name: status.id.name, state: state, lastOutcome: status.lastOutcome?.description, lastStart: status.lastStart?.timeIntervalSince1970,
            lastDurationSeconds: status.lastDuration.map(HealthReport.seconds), entriesWritten: status.entriesWritten, failures: status.failures,
            lastError: status.lastError, nextRun: status.nextRun?.timeIntervalSince1970)
    }

    /// What each of a service's alerts finds in its report.
    static func observations(_ policy: ServicePolicy, _ report: HealthReport, unreachableFor: Duration) -> [AlertEvaluator.Observation] {
        let thresholds = policy.alerts
        let service = policy.name
        var observations: [AlertEvaluator.Observation] = []
        func add(_ name: Alert.Name, _ severity: Alert.Severity, _ condition: String, _ observed: Double?, _ holds: Bool?, _ holdFor: Duration) {
            observations.append(.init(
                alert: Alert(service: service, name: name, severity: severity, condition: condition, observed: observed), holds: holds, holdFor: holdFor))
        }
        add(.redisUnreachable, .critical, "Redis unreachable", report.connected ? 1 : 0, !report.connected, unreachableFor)
        if let below = thresholds.hitRateBelow {
            add(.hitRate, .warning, "hit rate below \(percent(below))", report.hitRate, report.hitRate.map { $0 < below }, thresholds.holdDuration(.hitRate))
        }
        if let above = thresholds.memoryAbove {
            add(.memory, .warning, "memory above \(percent(above)) of the budget", report.memory?.share, report.memory.map { $0.share > above },
                thresholds.holdDuration(.memory))
        }
        if let above = thresholds.latencyAbove {
            let limit = HealthReport.seconds(above)
            add(.latency, .warning, "p99 latency above \(limit) s", report.p99Seconds, report.p99Seconds.map { $0 > limit }, thresholds.holdDuration(.latency))
        }
        if let above = thresholds.errorRateAbove {
            add(.errorRate, .warning, "error rate above \(percent(above))", report.errorRate, report.errorRate.map { $0 > above },
                thresholds.holdDuration(.errorRate))
        }
        return observations
    }

    static func percent(_ ratio: Double) -> String {
        let value = ratio * 100
        return value == value.rounded() ? "\(Int(value))%" : "\(value)%"
    }
}
