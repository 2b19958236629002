import CoreMetrics
import Foundation
import NIOConcurrencyHelpers

/// The runner's swift-metrics instruments, per job (docs/metrics.md), made at a job's first run.
final class WarmupInstruments: Sendable {
    private let factory: (any MetricsFactory)?
    private let jobs = NIOLockedValueBox([WarmupJobID: Job]())

    struct Job: Sendable {
        let runs: [String: Counter]
        let entries: Counter
        let retries: Counter
        let duration: CoreMetrics.Timer
        let lastSuccess: Gauge
    }

    static let outcomes = ["succeeded", "failed", "skipped", "lock_lost", "cancelled"]

    init(factory: (any MetricsFactory)?) {
        self.factory = factory
    }

    func record(_ id: WarmupJobID, _ outcome: WarmupJobStatus.Outcome, _ status: WarmupJobStatus, duration: Duration) {
        let job = jobs.withLockedValue { jobs in
            if let found = jobs[id] { return found }
            let factory = self.factory ?? MetricsSystem.factory
            let labels = [("service", id.service), ("job", id.name)]
            let made = Job(
                runs: Dictionary(uniqueKeysWithValues: Self.outcomes.map {
                    ($0, Counter(label: "cachepolicy_warmup_runs_total", dimensions: labels + [("outcome", $0)], factory: factory))
                }),
                entries: Counter(label: "cachepolicy_warmup_entries_total", dimensions: labels, factory: factory),
                retries: Counter(label: "cachepolicy_warmup_batch_retries_total", dimensions: labels, factory: factory),
                duration: CoreMetrics.Timer(label: "cachepolicy_warmup_run_duration_seconds", dimensions: labels, factory: factory),
                lastSuccess: Gauge(label: "cachepolicy_warmup_last_success_timestamp_seconds", dimensions: labels, factory: factory))
            jobs[id] = made
            return made
        }
        let label: String
        switch outcome {
        case .succeeded: label = "succeeded"
        case .failed: label = "failed"
        case .skipped: label = "skipped"
        case .lockLost: label = "lock_lost"
        case .cancelled: label = "cancelled"
        }
        job.runs[label]?.increment()
        job.entries.increment(by: Int64(status.entriesWritten))
        job.retries.increment(by: Int64(status.retries))
        job.duration.recordNanoseconds(Int64(min(duration / .nanoseconds(1), Double(Int64.max / 2))))
        if outcome == .succeeded { job.lastSuccess.record(Date().timeIntervalSince1970) }
    }
}
