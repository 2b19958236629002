/// Exponential backoff with jitter between reconnection attempts after Redis goes away.
public struct ReconnectPolicy: Sendable, Hashable {
    public var initialDelay: Duration
    public var maxDelay: Duration
    /// Each delay is spread by ± this share, so clients do not reconnect in lockstep.
    public var jitter: Double

    public init(initialDelay: Duration = .milliseconds(50), maxDelay: Duration = .seconds(5), jitter: Double = 0.2) {
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.jitter = jitter
    }

    /// The delay after `failures` consecutive failed attempts (1-based), with jitter.
    public func delay<G: RandomNumberGenerator>(afterFailures failures: Int, using generator: inout G) -> Duration {
        var base = initialDelay
        for _ in 1..<max(1, failures) where base < maxDelay { base = base * 2 }
        base = min(base, maxDelay)
        let factor = 1 + Double.random(in: -jitter...jitter, using: &generator)
        return base * factor
    }

    public func delay(afterFailures failures: Int) -> Duration {
        var generator = SystemRandomNumberGenerator()
        return delay(afterFailures: failures, using: &generator)
    }
}
