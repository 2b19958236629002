import CacheClient
import CacheRuntime
import CoreMetrics
import Foundation
import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle

/// Runs the generated warmup jobs of one or more services as declared: once at start (in
/// priority order), every `every` (with jitter, so instances do not align), after each event in
/// `after:` (``follow(_:)`` a service's invalidation listener), and when triggered
/// (``trigger(_:service:)``). A swift-service-lifecycle `Service`: add it to the application's
/// `ServiceGroup`, or run ``run()`` in a task and cancel it.
///
/// Each run streams the loader's entries `batch` per pipeline with at most `concurrency` batches
/// in flight, retries a failed batch with full-jitter backoff, and holds the job's fleet lock
/// (``FleetLock``) so one instance of the fleet runs it at a time. A job that fails does not stop
/// the others. Shutdown stops every run at its next batch and releases its lock.
///
/// Delivery: a trigger is at most once (not persisted); the schedule is the backstop.
public final class WarmupRunner: Service, Sendable {
    public struct Settings: Sendable, Hashable {
        /// Batches in flight that all jobs together may use; jobs beyond it wait, by priority.
        public var budget: Int
        /// Scheduled runs are spread by ± this share of `every`.
        public var scheduleJitter: Double
        /// Take the fleet lock for each run (off only for a single instance that owns its Redis).
        public var fleetLock: Bool
        /// The lock's TTL; it is renewed every third of it while the job runs.
        public var lockTTL: Duration
        /// Jobs run by themselves (start-up, schedule, events); `false` leaves only ``WarmupRunner/trigger(_:)``.
        /// Set it from the environment: `Settings(automatic: resolved.warmup)`.
        public var automatic: Bool

        public init(
            budget: Int = 16, scheduleJitter: Double = 0.1, fleetLock: Bool = true, lockTTL: Duration = .seconds(30), automatic: Bool = true
        ) {
            self.automatic = automatic
            self.budget = max(1, budget)
            self.scheduleJitter = scheduleJitter
            self.fleetLock = fleetLock
            self.lockTTL = lockTTL
        }
    }

    /// A run that ended, for logs, metrics and tests (``runs``).
    public struct Report: Sendable {
        public let job: WarmupJobID
        public let trigger: WarmupSchedule.Trigger
        public let outcome: WarmupJobStatus.Outcome
        public let status: WarmupJobStatus
    }

    public let cache: CacheClient
    public let settings: Settings
    public let logger: Logger
    private let tasks: [WarmupJobID: WarmupTask]
    private let clock: WarmupClock
    private let state: NIOLockedValueBox<State>
    private let instruments: WarmupInstruments
    private let reports: AsyncStream<Report>
    private let reportsContinuation: AsyncStream<Report>.Continuation

    struct State {
        var schedule: WarmupSchedule
        var statuses: [WarmupJobID: WarmupJobStatus]
        var progress: [WarmupJobID: WarmupRun.Progress] = [:]
        var wake: AsyncStream<Void>.Continuation?
        var started = false
    }

    /// - Parameters:
    ///   - tasks: the services' generated `warmupTasks(_:)`, concatenated.
    ///   - clock: schedules, backoff and lock renewal run on it (tests pass their own).
    ///   - metrics: where runs are counted (docs/metrics.md); `nil` for the process's `MetricsSystem`.
    public init(
        cache: CacheClient, tasks: [WarmupTask], settings: Settings = Settings(), clock: WarmupClock = .continuous,
        logger: Logger = Logger(label: "cachepolicy.warmup"), metrics: (any MetricsFactory)? = nil
    ) {
        instruments = WarmupInstruments(factory: metrics)
        self.cache = cache
        self.settings = settings
        self.clock = clock
        self.logger = logger
        var byID: [WarmupJobID: WarmupTask] = [:]
        for task in tasks {
            let id = WarmupJobID(service: task.spec.service, name: task.spec.name)
            if byID[id] != nil { logger.warning("a warmup job was given twice; the last one runs", metadata: ["job": "\(id)"]) }
            byID[id] = task
        }
        self.tasks = byID
        let specs = byID.keys.sorted().map { byID[$0]!.spec }
        let statuses = Dictionary(uniqueKeysWithValues: specs.map {
            let id = WarmupJobID(service: $0.service, name: $0.name)
            return (id, WarmupJobStatus(id: id, priority: $0.priority))
        })
        state = NIOLockedValueBox(State(schedule: WarmupSchedule(specs, budget: settings.budget, jitter: settings.scheduleJitter, automatic: settings.automatic), statuses: statuses))
        (reports, reportsContinuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1_000))
    }

    /// Every run that ends, newest 1,000 kept for a slow reader; finishes when ``run()`` returns.
    public var runs: AsyncStream<Report> { reports }

    // MARK: Reading and triggering

    /// Every job's status, sorted by service and name.
    public func status() -> [WarmupJobStatus] {
        state.withLockedValue { state in state.statuses.keys.sorted().map { Self.status($0, in: state, now: clock.now()) } }
    }

    public func status(of job: WarmupJobID) -> WarmupJobStatus? {
        state.withLockedValue { state in state.statuses[job] == nil ? nil : Self.status(job, in: state, now: clock.now()) }
    }

    private static func status(_ id: WarmupJobID, in state: State, now: Duration) -> WarmupJobStatus {
        var status = state.statuses[id]!
        let job = state.schedule.job(id)
        if let running = job?.running {
            status.state = .running(running)
            if let progress = state.progress[id] { status.apply(progress) }
        } else if let pending = job?.pending {
            status.state = .pending(pending.trigger)
        } else {
            status.state = .idle
        }
        status.nextRun = job?.nextRun.map { Date(timeIntervalSinceNow: Self.seconds($0 - now)) }
        return status
    }

    /// Runs a job now (or right after its current run); returns its identity. `service` may be
    /// left out when the job's name is unique among the runner's jobs.
    @discardableResult
    public func trigger(_ job: String, service: String? = nil) throws -> WarmupJobID {
        let matches = tasks.keys.filter { $0.name == job && (service == nil || $0.service == service) }
        guard let id = matches.first else { throw WarmupError.unknownJob(service.map { "\($0)/\(job)" } ?? job) }
        guard matches.count == 1 else { throw WarmupError.ambiguousJob(job, services: matches.map(\.service).sorted()) }
        logger.info("warmup job triggered", metadata: ["job": "\(id)"])
        change { $0.request(id, .manual, at: clock.now()) }
        return id
    }

    /// An event was applied for `service` (by its invalidation listener): that service's jobs
    /// that run `after` it are requested.
    public func eventApplied(_ event: String, service: String) {
        change { schedule in
            let requested = schedule.eventApplied(event, service: service, at: clock.now())
            if !requested.isEmpty {
                logger.debug("warmup jobs requested after an event", metadata: ["event": "\(event)", "jobs": "\(requested)"])
            }
        }
    }

    /// Runs this runner's jobs `after:` the events the listener applies (its service's jobs only).
    public func follow(_ listener: InvalidationListener) {
        let service = listener.service
        listener.onApplied { [weak self] event in self?.eventApplied(event, service: service) }
    }

    private func change(_ body: (inout WarmupSchedule) -> Void) {
        let wake = state.withLockedValue { state in
            body(&state.schedule)
            return state.wake
        }
        wake?.yield()
    }

    // MARK: Running

    /// Runs until the task is cancelled or the service group shuts down gracefully; once per
    /// runner (a second call throws ``WarmupError/alreadyRunning``).
    public func run() async throws {
        let (wakes, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let first = state.withLockedValue { state in
            if state.started { return false }
            state.started = true
            state.wake = wake
            state.schedule.start(at: clock.now())
            return true
        }
        guard first else { throw WarmupError.alreadyRunning }
        await cancelWhenGracefulShutdown { await self.runUntilCancelled(wakes, wake) }
    }

    private func runUntilCancelled(_ wakes: AsyncStream<Void>, _ wake: AsyncStream<Void>.Continuation) async {
        logger.info("warmup runner started", metadata: ["jobs": "\(tasks.count)"])
        await withTaskGroup(of: Void.self) { group in
            var timer: (at: Duration, task: Task<Void, Never>)?
            wake.yield()
            for await _ in wakes {
                let now = clock.now()
                let (starts, wakeup) = state.withLockedValue { state in
                    (state.schedule.startable(at: now), state.schedule.nextWakeup)
                }
                for (id, trigger) in starts {
                    group.addTask { await self.execute(id, trigger) }
                }
                if let wakeup, timer?.at != wakeup {
                    timer?.task.cancel()
                    let clock = clock
                    timer = (wakeup, Task {
                        try? await clock.sleep(max(.zero, wakeup - clock.now()))
                        if !Task.isCancelled { wake.yield() }
                    })
                }
            }
            timer?.task.cancel()
            group.cancelAll()
        }
        state.withLockedValue { $0.wake = nil }
        wake.finish()
        reportsContinuation.finish()
        logger.info("warmup runner stopped")
    }

    private func execute(_ id: WarmupJobID, _ trigger: WarmupSchedule.Trigger) async {
        let progress = WarmupRun.Progress()
        let started = clock.now()
        state.withLockedValue { state in
            state.progress[id] = progress
            state.statuses[id]!.beginRun(trigger)
        }
        logger.info("warmup job started", metadata: ["job": "\(id)", "trigger": "\(trigger)"])
        let run = WarmupRun(task: tasks[id]!, cache: cache, settings: settings, clock: clock, logger: logger, progress: progress)
        let outcome = await run.execute()
        let ended = clock.now()
        let (status, wake) = state.withLockedValue { state in
            state.progress[id] = nil
            state.statuses[id]!.endRun(outcome, progress: progress, duration: ended - started)
            state.schedule.finished(id, at: ended, random: Double.random(in: 0..<1))
            return (Self.status(id, in: state, now: ended), state.wake)
        }
        log(status, outcome)
        instruments.record(id, outcome, status, duration: ended - started)
        reportsContinuation.yield(Report(job: id, trigger: trigger, outcome: outcome, status: status))
        wake?.yield()
    }

    private func log(_ status: WarmupJobStatus, _ outcome: WarmupJobStatus.Outcome) {
        let metadata: Logger.Metadata = [
            "job": "\(status.id)", "outcome": "\(outcome)", "entries": "\(status.entriesWritten)",
            "batchesRetried": "\(status.batchesRetried)", "duration": "\(status.lastDuration ?? .zero)",
        ]
        switch outcome {
        case .succeeded: logger.info("warmup job finished", metadata: metadata)
        case .skipped: logger.debug("warmup job skipped", metadata: metadata)
        case .cancelled: logger.info("warmup job cancelled", metadata: metadata)
        case .failed, .lockLost: logger.error("warmup job failed", metadata: metadata)
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

extension WarmupJobStatus {
    mutating func beginRun(_ trigger: WarmupSchedule.Trigger) {
        lastStart = Date()
        lastTrigger = trigger
        entriesWritten = 0
        batchesWritten = 0
        batchesRetried = 0
        retries = 0
        peakBatchesInFlight = 0
        peakEntriesHeld = 0
    }

    mutating func apply(_ progress: WarmupRun.Progress) {
        let counters = progress.counters.withLockedValue { $0 }
        entriesWritten = counters.entries
        batchesWritten = counters.batches
        batchesRetried = counters.batchesRetried
        retries = counters.retries
        peakBatchesInFlight = counters.peakInFlight
        peakEntriesHeld = progress.peakHeld.load(ordering: .relaxed)
    }

    mutating func endRun(_ outcome: WarmupJobStatus.Outcome, progress: WarmupRun.Progress, duration: Duration) {
        apply(progress)
        runs += 1
        lastDuration = duration
        lastOutcome = outcome
        switch outcome {
        case .failed(let error):
            failures += 1
            lastError = error
            lastErrorAt = Date()
        case .lockLost:
            failures += 1
            lastError = WarmupError.lockLost.description
            lastErrorAt = Date()
        case .succeeded, .skipped, .cancelled:
            break
        }
    }
}
