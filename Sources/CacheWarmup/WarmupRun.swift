import AsyncAlgorithms
import Atomics
import CacheClient
import CacheRuntime
import Logging
import NIOConcurrencyHelpers

/// Why a run stopped early.
public enum WarmupError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A batch failed every attempt; the last error.
    case batchFailed(attempts: Int, lastError: String)
    /// The job's fleet lock expired or was taken over.
    case lockLost
    /// No job of that name (and service) is registered with the runner.
    case unknownJob(String)
    /// More than one service has a job of that name: name the service.
    case ambiguousJob(String, services: [String])
    /// ``WarmupRunner/run()`` was called on a runner that runs (or ran) already.
    case alreadyRunning

    public var description: String {
        switch self {
        case .batchFailed(let attempts, let error): "a batch failed \(attempts) attempt(s); last error: \(error)"
        case .lockLost: "the fleet lock was lost"
        case .unknownJob(let name): "no warmup job named \(name)"
        case .ambiguousJob(let name, let services): "\(name) is a job of \(services.joined(separator: ", ")): name the service"
        case .alreadyRunning: "a warmup runner runs once"
        }
    }
}

/// One run of one job: takes the fleet lock, streams the loader's batches to `concurrency`
/// writers, retries failed batches with backoff, renews the lock, and stops at the first batch
/// after cancellation or after the lock is lost.
struct WarmupRun: Sendable {
    let task: WarmupTask
    let cache: CacheClient
    let settings: WarmupRunner.Settings
    let clock: WarmupClock
    let logger: Logger
    /// Live counters, read by ``WarmupRunner/status()``.
    let progress: Progress

    var id: WarmupJobID { WarmupJobID(service: task.spec.service, name: task.spec.name) }

    final class Progress: Sendable {
        struct Counters: Sendable {
            var entries = 0
            var batches = 0
            var batchesRetried = 0
            var retries = 0
            var inFlight = 0
            var peakInFlight = 0
        }
        let counters = NIOLockedValueBox(Counters())
        let peakHeld = ManagedAtomic<Int>(0)
    }

    func execute() async -> WarmupJobStatus.Outcome {
        var lock: FleetLock?
        if settings.fleetLock {
            do {
                lock = try await FleetLock.acquire(id, ttl: settings.lockTTL, on: cache.redis)
            } catch {
                if Task.isCancelled { return .cancelled }
                return .failed("cannot take the fleet lock: \(error)")
            }
            if lock == nil { return .skipped("another instance holds the fleet lock") }
        }
        let outcome = await stream(lock: lock)
        if let lock {
            // Released in a task of its own: a cancelled run still gives its lock back.
            await Task { _ = try? await lock.release(on: cache.redis) }.value
        }
        return outcome
    }

    private func stream(lock: FleetLock?) async -> WarmupJobStatus.Outcome {
        let spec = task.spec
        let lost = ManagedAtomic<Bool>(false)
        let channel = AsyncChannel<WarmupEntries>()
        // `add` returns once a writer took the batch: at most `concurrency` batches are being
        // written and one more waits, so the loader holds batch × (concurrency + 1) entries at most.
        let sink = WarmupSink(batch: spec.batch) { batch in
            await channel.send(batch)
            try Task.checkCancellation()
            if lost.load(ordering: .relaxed) { throw WarmupError.lockLost }
        }
        defer { progress.peakHeld.store(sink.peakHeld, ordering: .relaxed) }
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                if let lock { group.addTask { try await renew(lock, lost: lost) } }
                group.addTask {
                    defer { channel.finish() }
                    try await task.load(sink)
                    try await sink.finish()
                }
                for _ in 0..<max(1, spec.concurrency) {
                    group.addTask {
                        for await batch in channel {
                            defer { sink.release(batch.count) }
                            try await write(batch, lost: lost)
                        }
                    }
                }
                // The loader and the writers end; the renewal runs until cancelled.
                for _ in 0..<(1 + max(1, spec.concurrency)) { try await group.next() }
                group.cancelAll()
            }
            return .succeeded
        } catch {
            if lost.load(ordering: .relaxed) { return .lockLost }
            if Task.isCancelled { return .cancelled }
            return .failed("\(error)")
        }
    }

    /// Writes a batch in one pipeline; a failed write is retried with full-jitter backoff, up to
    /// the job's `attempts` in all. Cancellation stops it before an attempt or during a wait.
    private func write(_ batch: WarmupEntries, lost: ManagedAtomic<Bool>) async throws {
        let retry = task.spec.retry
        var generator = SystemRandomNumberGenerator()
        var attempt = 1
        while true {
            if lost.load(ordering: .relaxed) { throw WarmupError.lockLost }
            try Task.checkCancellation()
            progress.counters.withLockedValue { counters in
                counters.inFlight += 1
                counters.peakInFlight = max(counters.peakInFlight, counters.inFlight)
            }
            do {
                // Not cancelled with the run: a batch on the wire finishes (within the command
                // timeout), so what the status counts is what Redis holds.
                try await Task { [cache] in try await cache.write(batch) }.value
                progress.counters.withLockedValue { counters in
                    counters.inFlight -= 1
                    counters.entries += batch.count
                    counters.batches += 1
                }
                return
            } catch {
                progress.counters.withLockedValue { $0.inFlight -= 1 }
                if error is CancellationError || Task.isCancelled { throw CancellationError() }
                guard attempt < max(1, retry.attempts) else {
                    throw WarmupError.batchFailed(attempts: attempt, lastError: "\(error)")
                }
                progress.counters.withLockedValue { counters in
                    if attempt == 1 { counters.batchesRetried += 1 }
                    counters.retries += 1
                }
                let delay = retry.delay(beforeRetry: attempt, using: &generator)
                logger.debug(
                    "warmup batch failed; retrying",
                    metadata: ["job": "\(id)", "attempt": "\(attempt)", "delay": "\(delay)", "error": "\(error)"])
                try await clock.sleep(delay)
                attempt += 1
            }
        }
    }

    /// Renews the lock every third of its TTL. Ends with ``WarmupError/lockLost`` when the lock is
    /// no longer ours, or when Redis could not be asked for a whole TTL (it may have expired).
    private func renew(_ lock: FleetLock, lost: ManagedAtomic<Bool>) async throws {
        var renewed = clock.now()
        while true {
            try await clock.sleep(lock.ttl / 3)
            do {
                if try await lock.renew(on: cache.redis) {
                    renewed = clock.now()
                    continue
                }
            } catch {
                if Task.isCancelled { throw CancellationError() }
                if clock.now() - renewed < lock.ttl { continue }
            }
            lost.store(true, ordering: .relaxed)
            logger.warning("a warmup job lost its fleet lock and stops writing", metadata: ["job": "\(id)", "lock": "\(lock.key)"])
            throw WarmupError.lockLost
        }
    }
}
