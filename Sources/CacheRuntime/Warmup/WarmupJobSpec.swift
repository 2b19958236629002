/// A warmup job as declared: which families it fills, from which loader, how often and how hard.
public struct WarmupJobSpec: Sendable, Hashable {
    public enum Priority: String, Sendable, Hashable, CaseIterable, Comparable {
        case high, medium, low

        private var rank: Int {
            switch self {
            case .high: 0
            case .medium: 1
            case .low: 2
            }
        }

        public static func < (a: Priority, b: Priority) -> Bool { a.rank < b.rank }
    }

    public let name: String
    public let service: String
    /// Names of the key families the job writes.
    public let families: [String]
    /// The loader the application provides (a requirement of the service's generated `Loaders`).
    public let source: String
    public let priority: Priority
    /// `nil`: the job runs at start-up and after ``after`` events only.
    public let every: Duration?
    public let after: [String]
    public let batch: Int
    public let concurrency: Int
    public let retry: RetryPolicy

    public init(
        name: String, service: String, families: [String], source: String, priority: Priority, every: Duration?,
        after: [String], batch: Int, concurrency: Int, retry: RetryPolicy
    ) {
        self.name = name
        self.service = service
        self.families = families
        self.source = source
        self.priority = priority
        self.every = every
        self.after = after
        self.batch = batch
        self.concurrency = concurrency
        self.retry = retry
    }
}

/// Exponential backoff from `backoff`, doubling up to `max`, for at most `attempts` tries.
public struct RetryPolicy: Sendable, Hashable {
    public let attempts: Int
    public let backoff: Duration
    public let max: Duration

    public init(attempts: Int, backoff: Duration, max: Duration) {
        self.attempts = attempts
        self.backoff = backoff
        self.max = max
    }

    /// The longest delay before retry number `retry` (1-based): `backoff` doubled per earlier
    /// retry, at most `max`.
    public func ceiling(beforeRetry retry: Int) -> Duration {
        var delay = backoff
        for _ in 1..<Swift.max(1, retry) {
            delay = delay * 2
            if delay >= max { return max }
        }
        return Swift.min(delay, max)
    }

    /// The delay before retry number `retry` (1-based), with full jitter: uniform between zero and
    /// ``ceiling(beforeRetry:)``, so instances that failed together do not retry together.
    public func delay<G: RandomNumberGenerator>(beforeRetry retry: Int, using generator: inout G) -> Duration {
        let ceiling = ceiling(beforeRetry: retry)
        let nanoseconds = ceiling / .nanoseconds(1)
        guard nanoseconds > 0 else { return .zero }
        return .nanoseconds(Int64(Double.random(in: 0...1, using: &generator) * nanoseconds))
    }
}
