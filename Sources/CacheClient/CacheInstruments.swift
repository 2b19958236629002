import CacheRuntime
import CoreMetrics
import NIOConcurrencyHelpers
import RESP

/// The client's swift-metrics instruments (docs/metrics.md lists every one) and the per-service
/// statistics its health report reads. Instruments are made once per key family and service and
/// reused; their labels are the policy's names (service, family, event, operation, outcome, kind),
/// never a key or a param value, so the number of series is bounded by the policy.
final class CacheInstruments: Sendable {
    /// `nil`: the process-wide `MetricsSystem.factory`, read when an instrument is first made.
    let factory: (any MetricsFactory)?
    let statisticsWindow: Duration
    /// By service and family name: a lookup per operation, without building a string.
    private struct FamilyKey: Hashable {
        let service: String
        let name: String
    }

    private let families = NIOLockedValueBox([FamilyKey: FamilyInstruments]())
    private let services = NIOLockedValueBox([String: ServiceInstruments]())
    private let events = NIOLockedValueBox([String: Counter]())
    let breakerState: Gauge
    let breakerOpened: Counter
    let breakerClosed: Counter

    init(factory: (any MetricsFactory)?, statisticsWindow: Duration) {
        self.factory = factory
        self.statisticsWindow = statisticsWindow
        let made = factory ?? MetricsSystem.factory
        breakerState = Gauge(label: MetricName.breakerState, dimensions: [], factory: made)
        breakerOpened = Counter(label: MetricName.breakerTransitions, dimensions: [("to", "open")], factory: made)
        breakerClosed = Counter(label: MetricName.breakerTransitions, dimensions: [("to", "closed")], factory: made)
    }

    private var made: any MetricsFactory { factory ?? MetricsSystem.factory }

    func family(_ spec: KeyFamilySpec) -> FamilyInstruments {
        let key = FamilyKey(service: spec.service, name: spec.name)
        if let found = families.withLockedValue({ $0[key] }) { return found }
        let service = self.service(spec.service)
        return families.withLockedValue { families in
            if let found = families[key] { return found }
            let made = FamilyInstruments(spec, service: service, factory: self.made)
            families[key] = made
            return made
        }
    }

    func service(_ name: String) -> ServiceInstruments {
        services.withLockedValue { services in
            if let found = services[name] { return found }
            let made = ServiceInstruments(name, window: statisticsWindow, factory: self.made)
            services[name] = made
            return made
        }
    }

    /// Services that recorded anything so far.
    var knownServices: [String] { services.withLockedValue { Array($0.keys) }.sorted() }

    func published(_ event: String) {
        let counter = events.withLockedValue { events in
            if let found = events[event] { return found }
            let made = Counter(label: MetricName.eventsPublished, dimensions: [("event", event)], factory: self.made)
            events[event] = made
            return made
        }
        counter.increment()
    }

    func breaker(_ state: CircuitBreaker.State) {
        switch state {
        case .closed: breakerState.record(0)
        case .halfOpen: breakerState.record(1)
        case .open: breakerState.record(2)
        }
    }
}

/// The metric names the runtime reports (Prometheus conventions: `_total` counters, `_seconds`
/// durations, `_bytes` sizes). docs/metrics.md documents each.
public enum MetricName {
    public static let requests = "cachepolicy_requests_total"
    public static let requestDuration = "cachepolicy_request_duration_seconds"
    public static let loaderDuration = "cachepolicy_loader_duration_seconds"
    public static let decodeFailures = "cachepolicy_decode_failures_total"
    public static let leaseRefused = "cachepolicy_lease_refused_total"
    public static let earlyRefreshes = "cachepolicy_early_refreshes_total"
    public static let errors = "cachepolicy_errors_total"
    public static let invalidations = "cachepolicy_invalidations_total"
    public static let invalidatedKeys = "cachepolicy_invalidated_keys_total"
    public static let invalidationDuration = "cachepolicy_invalidation_duration_seconds"
    public static let eventsPublished = "cachepolicy_events_published_total"
    public static let eventsApplied = "cachepolicy_events_applied_total"
    public static let breakerState = "cachepolicy_breaker_state"
    public static let breakerTransitions = "cachepolicy_breaker_transitions_total"
}

/// One operation's outcome, the `outcome` label of ``MetricName/requests``.
enum Outcome: String, CaseIterable {
    case hit, nearHit = "near_hit", miss, ok, loaded, coalesced, degraded, error

    static let caseCount = allCases.count

    /// Its position in `allCases`, without building that array on the hot path.
    var index: Int {
        switch self {
        case .hit: 0
        case .nearHit: 1
        case .miss: 2
        case .ok: 3
        case .loaded: 4
        case .coalesced: 5
        case .degraded: 6
        case .error: 7
        }
    }
}

enum Operation: String, CaseIterable {
    case get, set, delete, fetch

    /// Its position in `allCases`.
    var index: Int {
        switch self {
        case .get: 0
        case .set: 1
        case .delete: 2
        case .fetch: 3
        }
    }
}

/// The kind of an error, the `kind` label of ``MetricName/errors``.
enum ErrorKind: String, CaseIterable {
    case connection, timeout, redis, codec, unexpectedReply = "unexpected_reply", other

    init?(_ error: any Error) {
        switch error {
        case is CancellationError: return nil
        case let error as RedisConnectionError: self = error.kind == .timeout ? .timeout : .connection
        case let error as RedisError: self = error.message.contains(CacheClient.unexpectedReplyMarker) ? .unexpectedReply : .redis
        case is CodecError: self = .codec
        default: self = .other
        }
    }
}

/// A key family's instruments.
final class FamilyInstruments: Sendable {
    let service: ServiceInstruments
    private let requests: [Counter]  // Operation × Outcome, row-major
    private let durations: [Timer]  // per Operation
    private let errorCounters: [Counter]  // per ErrorKind
    let loader: Timer
    let decodeFailures: Counter
    let leaseRefused: Counter
    let earlyRefreshes: Counter

    init(_ spec: KeyFamilySpec, service: ServiceInstruments, factory: any MetricsFactory) {
        self.service = service
        let labels = [("service", spec.service), ("family", spec.name)]
        requests = Operation.allCases.flatMap { operation in
            Outcome.allCases.map { outcome in
                Counter(label: MetricName.requests, dimensions: labels + [("operation", operation.rawValue), ("outcome", outcome.rawValue)], factory: factory)
            }
        }
        durations = Operation.allCases.map {
            Timer(label: MetricName.requestDuration, dimensions: labels + [("operation", $0.rawValue)], factory: factory)
        }
        errorCounters = ErrorKind.allCases.map { Counter(label: MetricName.errors, dimensions: labels + [("kind", $0.rawValue)], factory: factory) }
        loader = Timer(label: MetricName.loaderDuration, dimensions: labels, factory: factory)
        decodeFailures = Counter(label: MetricName.decodeFailures, dimensions: labels, factory: factory)
        leaseRefused = Counter(label: MetricName.leaseRefused, dimensions: labels, factory: factory)
        earlyRefreshes = Counter(label: MetricName.earlyRefreshes, dimensions: labels, factory: factory)
    }

    /// Counts one operation on one key and its latency (`started` from ``MonotonicTime/nanoseconds()``).
    func record(_ operation: Operation, _ outcome: Outcome, started: UInt64) {
        let elapsed = MonotonicTime.nanoseconds() &- started
        requests[operation.index * Outcome.caseCount + outcome.index].increment()
        durations[operation.index].recordNanoseconds(Int64(truncatingIfNeeded: elapsed))
        service.statistics.record(operation, outcome, nanoseconds: elapsed)
    }

    /// Counts a failed operation: its outcome, its latency and its error's kind.
    func failed(_ operation: Operation, _ error: any Error, started: UInt64) {
        guard ErrorKind(error) != nil else { return }
        record(operation, .error, started: started)
        counted(error)
    }

    /// Counts an error by kind (one that an operation absorbed, e.g. a degraded fetch).
    func counted(_ error: any Error) {
        guard let kind = ErrorKind(error) else { return }
        errorCounters[ErrorKind.allCases.firstIndex(of: kind)!].increment()
    }
}

/// A service's instruments: invalidations, events applied and its windowed statistics.
final class ServiceInstruments: Sendable {
    let name: String
    let statistics: ServiceStatistics
    private let invalidationCounters: [Counter]
    private let invalidatedKeyCounters: [Counter]
    let invalidationDuration: Timer
    private let factory: any MetricsFactory
    private let applied = NIOLockedValueBox([String: Counter]())

    enum InvalidationKind: String, CaseIterable {
        case key, tag, index, pattern
    }

    init(_ name: String, window: Duration, factory: any MetricsFactory) {
        self.name = name
        self.factory = factory
        statistics = ServiceStatistics(window: window)
        invalidationCounters = InvalidationKind.allCases.map {
            Counter(label: MetricName.invalidations, dimensions: [("service", name), ("kind", $0.rawValue)], factory: factory)
        }
        invalidatedKeyCounters = InvalidationKind.allCases.map {
            Counter(label: MetricName.invalidatedKeys, dimensions: [("service", name), ("kind", $0.rawValue)], factory: factory)
        }
        invalidationDuration = Timer(label: MetricName.invalidationDuration, dimensions: [("service", name)], factory: factory)
    }

    /// Counts an applied plan: its parts by kind and the keys each kind removed.
    func invalidated(_ plan: InvalidationPlan, _ result: InvalidationResult, started: UInt64) {
        let parts = [plan.keys.count, plan.tags.count, plan.indexes.count, plan.patterns.count]
        let removed = [result.keys, result.tagMembers, result.indexMembers, result.patternMatches]
        for index in parts.indices where parts[index] > 0 {
            invalidationCounters[index].increment(by: Int64(parts[index]))
            invalidatedKeyCounters[index].increment(by: Int64(removed[index]))
        }
        invalidationDuration.recordNanoseconds(Int64(truncatingIfNeeded: MonotonicTime.nanoseconds() &- started))
    }

    func eventApplied(_ event: String) {
        let counter = applied.withLockedValue { applied in
            if let found = applied[event] { return found }
            let made = Counter(label: MetricName.eventsApplied, dimensions: [("service", name), ("event", event)], factory: factory)
            applied[event] = made
            return made
        }
        counter.increment()
    }
}
