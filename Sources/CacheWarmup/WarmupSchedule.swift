import CacheRuntime

/// Which warmup job runs next and when, as a plain value: the runner feeds it what happened
/// (started, a job finished, an event, a trigger, time passing) and starts what it returns.
/// Times are offsets from an arbitrary origin (the runner's clock).
///
/// Rules:
/// - **Start-up in priority order.** Every job runs once at start; no `medium` job starts before
///   every `high` job's start-up run has finished (or failed), no `low` before every `medium`.
/// - **A budget of batches in flight** shared by all jobs (each job counts its `concurrency`).
///   Pending jobs start by priority, then by how long they waited; a job that does not fit waits
///   and lower-priority jobs do not overtake it (a job larger than the whole budget runs alone).
/// - **Schedules**: after a run, a job with `every` is due again `every` (± jitter) after that
///   run started, and never before it ended.
/// - **Coalescing**: a request for a job that is pending is merged into it; for a running job it
///   makes one more run after this one (the data may have changed under it).
public struct WarmupSchedule: Sendable {
    /// What made a job run.
    public enum Trigger: Sendable, Hashable, CustomStringConvertible {
        case startup
        case schedule
        case event(String)
        case manual

        public var description: String {
            switch self {
            case .startup: "start-up"
            case .schedule: "schedule"
            case .event(let name): "event \(name)"
            case .manual: "manual trigger"
            }
        }
    }

    public struct Job: Sendable {
        public let id: WarmupJobID
        public let priority: WarmupJobSpec.Priority
        public let every: Duration?
        public let after: Set<String>
        public let concurrency: Int
        /// Waiting to start, and why (with when it started waiting).
        public internal(set) var pending: (trigger: Trigger, since: Duration)?
        /// Running, and why.
        public internal(set) var running: Trigger?
        /// Run again after the current run (a request came while it ran).
        public internal(set) var rerun: Trigger?
        public internal(set) var startedAt: Duration?
        /// When the schedule makes it due next.
        public internal(set) var nextRun: Duration?
        /// Its start-up run finished.
        public internal(set) var warmedUp = false
    }

    public private(set) var jobs: [Job]
    /// Batches in flight that all running jobs together may use.
    public let budget: Int
    /// Schedules are spread by ± this share of `every`.
    public let jitter: Double

    /// Whether jobs run by themselves (at start-up, on their schedule, after events). `false` (an
    /// environment's `warmup: false`) leaves only manual requests.
    public let automatic: Bool

    public init(_ specs: [WarmupJobSpec], budget: Int, jitter: Double = 0.1, automatic: Bool = true) {
        precondition(budget > 0)
        self.automatic = automatic
        jobs = specs.map {
            Job(
                id: WarmupJobID(service: $0.service, name: $0.name), priority: $0.priority, every: $0.every,
                after: Set($0.after), concurrency: max(1, $0.concurrency))
        }
        self.budget = budget
        self.jitter = max(0, min(jitter, 0.5))
    }

    /// The runner started: every job is pending its start-up run.
    public mutating func start(at now: Duration) {
        for index in jobs.indices {
            if automatic {
                jobs[index].pending = (.startup, now)
            } else {
                jobs[index].warmedUp = true  // nothing to wait for: manual runs start in priority order only
            }
        }
    }

    /// A request to run a job (manual trigger); `false` for an unknown job.
    @discardableResult
    public mutating func request(_ id: WarmupJobID, _ trigger: Trigger, at now: Duration) -> Bool {
        guard let index = jobs.firstIndex(where: { $0.id == id }) else { return false }
        request(index, trigger, at: now)
        return true
    }

    /// An event was applied for `service`: that service's jobs that run `after` it are requested.
    /// Returns them.
    @discardableResult
    public mutating func eventApplied(_ name: String, service: String, at now: Duration) -> [WarmupJobID] {
        var requested: [WarmupJobID] = []
        guard automatic else { return requested }
        for index in jobs.indices where jobs[index].id.service == service && jobs[index].after.contains(name) {
            request(index, .event(name), at: now)
            requested.append(jobs[index].id)
        }
        return requested
    }

    private mutating func request(_ index: Int, _ trigger: Trigger, at now: Duration) {
        if jobs[index].running != nil {
            if jobs[index].rerun == nil { jobs[index].rerun = trigger }
        } else if jobs[index].pending == nil {
            jobs[index].pending = (trigger, now)
        }
    }

    /// Jobs whose schedule came due by `now` become pending.
    public mutating func advance(to now: Duration) {
        for index in jobs.indices {
            guard let next = jobs[index].nextRun, next <= now else { continue }
            jobs[index].nextRun = nil
            request(index, .schedule, at: next)
        }
    }

    /// Batches in flight that running jobs use.
    public var inFlight: Int { jobs.filter { $0.running != nil }.reduce(0) { $0 + $1.concurrency } }

    /// Starts what may start now (marking those jobs running) and returns them in start order.
    public mutating func startable(at now: Duration) -> [(id: WarmupJobID, trigger: Trigger)] {
        advance(to: now)
        var started: [(id: WarmupJobID, trigger: Trigger)] = []
        let order = jobs.indices.filter { jobs[$0].pending != nil }.sorted { a, b in
            let (x, y) = (jobs[a], jobs[b])
            if x.priority != y.priority { return x.priority < y.priority }
            if x.pending!.since != y.pending!.since { return x.pending!.since < y.pending!.since }
            return x.id < y.id
        }
        for index in order {
            let job = jobs[index]
            // Start-up order: wait for every more important job's start-up run.
            if !job.warmedUp, jobs.contains(where: { $0.priority < job.priority && !$0.warmedUp }) { break }
            let used = inFlight
            guard used == 0 || used + job.concurrency <= budget else { break }
            jobs[index].running = job.pending!.trigger
            jobs[index].pending = nil
            jobs[index].startedAt = now
            started.append((job.id, job.pending!.trigger))
        }
        return started
    }

    /// A run ended (whatever its outcome). `random` in 0..<1 spreads the next scheduled run.
    public mutating func finished(_ id: WarmupJobID, at now: Duration, random: Double) {
        guard let index = jobs.firstIndex(where: { $0.id == id }), jobs[index].running != nil else { return }
        let started = jobs[index].startedAt ?? now
        jobs[index].running = nil
        jobs[index].warmedUp = true
        if automatic, let every = jobs[index].every {
            let spread = 1 + jitter * (2 * random - 1)
            jobs[index].nextRun = max(started + every * spread, now)
        }
        if let rerun = jobs[index].rerun {
            jobs[index].rerun = nil
            jobs[index].pending = (rerun, now)
        }
    }

    /// When the schedule next needs attention (the earliest scheduled run), if ever.
    public var nextWakeup: Duration? { jobs.compactMap(\.nextRun).min() }

    public func job(_ id: WarmupJobID) -> Job? { jobs.first { $0.id == id } }
}

/// A warmup job's identity: its service and name (job names are unique within a service).
public struct WarmupJobID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let service: String
    public let name: String

    public init(service: String, name: String) {
        self.service = service
        self.name = name
    }

    public var description: String { "\(service)/\(name)" }

    public static func < (a: WarmupJobID, b: WarmupJobID) -> Bool { (a.service, a.name) < (b.service, b.name) }
}
