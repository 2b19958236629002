/// The circuit breaker in front of Redis for read-through (``CacheClient/fetch(_:loader:)``), a
/// plain value: after `threshold` consecutive connection failures it opens, and for `openFor`
/// every fetch goes straight to the loader (an outage costs the loader's time, not a timeout per
/// call); then one caller probes Redis (half-open): success closes it, failure opens it again.
public struct CircuitBreaker: Sendable, Hashable {
    public enum State: Sendable, Hashable {
        case closed(failures: Int)
        case open(until: ContinuousClock.Instant)
        /// One probe is in flight; everyone else still bypasses Redis.
        case halfOpen
    }

    public let threshold: Int
    public let openFor: Duration
    public private(set) var state = State.closed(failures: 0)

    public init(threshold: Int = 5, openFor: Duration = .seconds(1)) {
        precondition(threshold > 0)
        self.threshold = threshold
        self.openFor = openFor
    }

    public enum Decision: Sendable, Hashable {
        /// Use Redis.
        case use
        /// Use Redis as the half-open probe: report the outcome.
        case probe
        /// Bypass Redis.
        case bypass
    }

    public mutating func decide(now: ContinuousClock.Instant) -> Decision {
        switch state {
        case .closed: return .use
        case .halfOpen: return .bypass
        case .open(let until):
            guard now >= until else { return .bypass }
            state = .halfOpen
            return .probe
        }
    }

    public mutating func succeeded() {
        state = .closed(failures: 0)
    }

    public mutating func failed(now: ContinuousClock.Instant) {
        switch state {
        case .closed(let failures):
            state = failures + 1 >= threshold ? .open(until: now + openFor) : .closed(failures: failures + 1)
        case .halfOpen, .open:
            state = .open(until: now + openFor)
        }
    }

    public var isOpen: Bool {
        if case .closed = state { return false }
        return true
    }
}
