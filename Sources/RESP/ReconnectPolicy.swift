import NIOConcurrencyHelpers

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

extension ReconnectPolicy {
    /// The reconnect loop of every long-lived connection (subscriber, near-cache tracker): runs
    /// `session` again and again until the task is cancelled, waiting between runs with backoff.
    ///
    /// A session calls `established()` once its connection is set up (subscribed, tracking):
    /// from then on a drop counts as a first failure again, so one outage after hours of service
    /// reconnects after ``initialDelay``, while a server that refuses every attempt is retried
    /// ever more slowly, up to ``maxDelay``. `onEnd` hears why each session ended (not called
    /// for the end that cancellation causes).
    public func keepRunning(
        _ session: (_ established: @escaping @Sendable () -> Void) async throws -> Void,
        onEnd: (any Error) async -> Void
    ) async {
        await keepRunning(session, onEnd: onEnd, sleep: { try? await Task.sleep(for: $0) })
    }

    /// ``keepRunning(_:onEnd:)`` with the wait between sessions supplied (for tests).
    func keepRunning(
        _ session: (_ established: @escaping @Sendable () -> Void) async throws -> Void,
        onEnd: (any Error) async -> Void, sleep: (Duration) async -> Void
    ) async {
        var failures = 0
        while !Task.isCancelled {
            let reached = NIOLockedValueBox(false)
            do {
                try await session { reached.withLockedValue { $0 = true } }
            } catch {
                if Task.isCancelled { return }
                await onEnd(error)
            }
            guard !Task.isCancelled else { return }
            failures = reached.withLockedValue { $0 } ? 1 : failures + 1
            await sleep(delay(afterFailures: failures))
        }
    }
}
