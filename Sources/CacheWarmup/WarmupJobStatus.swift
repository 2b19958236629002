import CacheRuntime
import Foundation

/// What a warmup job is doing and how its last run went (``WarmupRunner/status()``).
public struct WarmupJobStatus: Sendable {
    public enum State: Sendable, Hashable {
        case idle
        case pending(WarmupSchedule.Trigger)
        case running(WarmupSchedule.Trigger)
    }

    /// How a run ended.
    public enum Outcome: Sendable, Hashable, CustomStringConvertible {
        case succeeded
        /// The loader failed, or a batch failed all its attempts; the message is the last error.
        case failed(String)
        /// Another instance holds the job's fleet lock and runs it.
        case skipped(String)
        /// The job's fleet lock was lost (expired or taken over) and it stopped writing.
        case lockLost
        /// The runner shut down during the run.
        case cancelled

        public var description: String {
            switch self {
            case .succeeded: "succeeded"
            case .failed(let error): "failed: \(error)"
            case .skipped(let reason): "skipped: \(reason)"
            case .lockLost: "stopped: the fleet lock was lost"
            case .cancelled: "cancelled"
            }
        }
    }

    public let id: WarmupJobID
    public let priority: WarmupJobSpec.Priority
    public internal(set) var state: State = .idle
    /// When the current or last run started (wall clock), and why.
    public internal(set) var lastStart: Date?
    public internal(set) var lastTrigger: WarmupSchedule.Trigger?
    /// How long the last finished run took.
    public internal(set) var lastDuration: Duration?
    public internal(set) var lastOutcome: Outcome?
    /// The last error of any run (kept after later successes), with when it happened.
    public internal(set) var lastError: String?
    public internal(set) var lastErrorAt: Date?
    /// Counters of the current or last run.
    public internal(set) var entriesWritten = 0
    public internal(set) var batchesWritten = 0
    /// Batches that needed at least one retry, and retries in all.
    public internal(set) var batchesRetried = 0
    public internal(set) var retries = 0
    /// The most batches written at once, and the most entries held in memory at once.
    public internal(set) var peakBatchesInFlight = 0
    public internal(set) var peakEntriesHeld = 0
    /// Runs since the runner started, and how many of them failed (lost lock included).
    public internal(set) var runs = 0
    public internal(set) var failures = 0
    /// When the schedule runs it next (wall clock), if it has one.
    public internal(set) var nextRun: Date?

    init(id: WarmupJobID, priority: WarmupJobSpec.Priority) {
        self.id = id
        self.priority = priority
    }
}
