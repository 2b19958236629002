/// A job that pre-populates key families from an application-provided loader.
public struct WarmupJob: Sendable {
    public enum Priority: String, Sendable, Hashable, CaseIterable {
        case high, medium, low
    }

    public var name: Located<String>
    public var description: String?
    /// Key families the job writes, optionally qualified with their service.
    public var keys: [(service: Located<String>?, family: Located<String>)]
    /// The name of the loader the application provides.
    public var source: Located<String>?
    public var priority: Located<Priority>?
    public var every: Located<PolicyDuration>?
    /// Events after which the job runs again.
    public var after: [Located<String>]
    public var batch: Located<Int>?
    public var concurrency: Located<Int>?
    public var retry: Retry?
    public var location: SourceLocation
}

/// Retry with exponential backoff from `backoff` up to `max`.
public struct Retry: Sendable {
    public var attempts: Located<Int>?
    public var backoff: Located<PolicyDuration>?
    public var max: Located<PolicyDuration>?
    public var location: SourceLocation
}
