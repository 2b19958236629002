/// The time source of the warmup runner: schedules, retry backoff and lock renewal read it, so
/// tests can run them on a clock of their own.
public struct WarmupClock: Sendable {
    /// Time since an arbitrary, fixed origin.
    public var now: @Sendable () -> Duration
    /// Waits for a duration; throws `CancellationError` when the task is cancelled.
    public var sleep: @Sendable (Duration) async throws -> Void

    public init(now: @escaping @Sendable () -> Duration, sleep: @escaping @Sendable (Duration) async throws -> Void) {
        self.now = now
        self.sleep = sleep
    }

    /// The system's monotonic clock.
    public static var continuous: WarmupClock {
        let origin = ContinuousClock.now
        return WarmupClock(now: { ContinuousClock.now - origin }, sleep: { try await Task.sleep(for: $0) })
    }
}
