import CacheClient
import CacheRuntime
import CacheWarmup
import ExamplePlatform
import Foundation
import Logging
import MetricsTestKit
import NIOConcurrencyHelpers
import RESP
import RedisTestSupport
import ServiceLifecycle
import TestSupport
import Testing

/// A user id per index: `00000000-0000-4000-8000-<index in hex>`.
func userID(_ index: Int) -> UUID { UUID(uuidString: "00000000-0000-4000-8000-" + String(format: "%012x", index))! }

/// A job that writes `count` `payment.recent` entries starting at `first`, calling `each` before every entry.
func job(
    _ spec: WarmupJobSpec, count: Int, first: Int = 0, each: @escaping @Sendable (Int) async throws -> Void = { _ in }
) -> WarmupTask {
    WarmupTask(spec: spec) { sink in
        for index in first..<(first + count) {
            try await each(index - first)
            try await sink.add(PaymentCache.recent(userId: userID(index)), RecentPayments(payments: []))
        }
    }
}

func keyCount(_ redis: any RedisTransport) async throws -> Int {
    var total = 0
    var cursor = "0"
    repeat {
        let reply = try await redis.send(RESPCommand("SCAN", cursor, "MATCH", "payment:recent:*", "COUNT", "1000"))
        cursor = reply.elements?[0].string ?? "0"
        total += reply.elements?[1].elements?.count ?? 0
    } while cursor != "0"
    return total
}

/// Runs `runner` in a task for the body; cancels it and waits for it afterwards.
func running<T>(_ runner: WarmupRunner, _ body: () async throws -> T) async throws -> T {
    let task = Task { try await runner.run() }
    defer { task.cancel() }
    let result = try await body()
    task.cancel()
    try await task.value
    return result
}

/// The next `count` reports of ended runs.
func reports(_ runner: WarmupRunner, _ count: Int) async -> [WarmupRunner.Report] {
    var collected: [WarmupRunner.Report] = []
    for await report in runner.runs {
        collected.append(report)
        if collected.count == count { break }
    }
    return collected
}

/// Records what loaders did, in order.
final class Trace: Sendable {
    let events = NIOLockedValueBox<[String]>([])
    func record(_ event: String) { events.withLockedValue { $0.append(event) } }
    var all: [String] { events.withLockedValue { $0 } }
}

struct LoaderFailure: Error, CustomStringConvertible {
    var description: String { "the source database is down" }
}

@Suite("Warmup runner (real redis-server)", .hangLimit)
struct WarmupRunnerTests {
    func withRunnerCache<T>(_ body: (CacheClient, RedisServer) async throws -> T) async throws -> T {
        try await withRedisServer { server in
            let redis = RedisClient(server.configuration)
            let result = try await body(CacheClient(redis: redis), server)
            await redis.shutdown()
            return result
        }
    }

    /// At start-up high jobs finish before medium ones start, medium before low; a failing job
    /// does not stop the others.
    @Test func startUpRunsInPriorityOrderAndFailuresAreIsolated() async throws {
        try await withRunnerCache { cache, _ in
            let trace = Trace()
            func traced(_ name: String, _ priority: WarmupJobSpec.Priority, first: Int, fails: Bool = false) -> WarmupTask {
                WarmupTask(spec: spec(name, priority, batch: 5, concurrency: 2)) { sink in
                    trace.record("start \(name)")
                    defer { trace.record("end \(name)") }
                    for index in first..<(first + 20) {
                        if fails && index == first + 7 { throw LoaderFailure() }
                        try await sink.add(PaymentCache.recent(userId: userID(index)), RecentPayments(payments: []))
                        try await Task.sleep(for: .milliseconds(1))
                    }
                }
            }
            let runner = WarmupRunner(cache: cache, tasks: [
                traced("low", .low, first: 0), traced("medium", .medium, first: 100), traced("high-a", .high, first: 200, fails: true),
                traced("high-b", .high, first: 300),
            ])
            let ended = try await running(runner) { await reports(runner, 4) }
            let order = trace.all
            func position(_ event: String) -> Int { order.firstIndex(of: event)! }
            #expect(position("start medium") > position("end high-a") && position("start medium") > position("end high-b"), "\(order)")
            #expect(position("start low") > position("end medium"), "\(order)")
            let outcomes = Dictionary(uniqueKeysWithValues: ended.map { ($0.job.name, $0.outcome) })
            #expect(outcomes["high-a"] == .failed("the source database is down"))
            #expect(outcomes["high-b"] == .succeeded && outcomes["medium"] == .succeeded && outcomes["low"] == .succeeded)
            #expect(try await keyCount(cache.redis) >= 60)
            let failed = try #require(runner.status(of: id("high-a")))
            #expect(failed.failures == 1 && failed.lastError == "the source database is down" && failed.lastErrorAt != nil)
            #expect(ended.allSatisfy { $0.trigger == .startup })
        }
    }

    /// Entries are written `batch` per pipeline with at most `concurrency` batches in flight (the
    /// server is paused so that every writer is busy at once), and the loader holds at most
    /// batch × (concurrency + 1) entries.
    @Test func batchesInFlightStayWithinConcurrency() async throws {
        try await withRunnerCache { cache, server in
            let admin = RedisClient(server.configuration)
            let runner = WarmupRunner(cache: cache, tasks: [
                job(spec("paused", batch: 10, concurrency: 3), count: 1_000) { index in
                    if index == 100 { try await admin.send(RESPCommand("CLIENT", "PAUSE", "300", "WRITE")) }
                }
            ])
            let report = try #require(try await running(runner) { await reports(runner, 1) }.first)
            #expect(report.outcome == .succeeded)
            #expect(report.status.peakBatchesInFlight == 3, "every writer was busy during the pause, and no more")
            #expect(report.status.peakEntriesHeld <= 10 * (3 + 1) && report.status.peakEntriesHeld >= 30)
            #expect(report.status.entriesWritten == 1_000 && report.status.batchesWritten == 100)
            #expect(try await keyCount(cache.redis) == 1_000)
            await admin.shutdown()
        }
    }

    /// Memory stays bounded on a large job: of 20,000 entries, never more than
    /// batch × (concurrency + 1) are in memory (scripts/bench-warmup measures 1,000,000 by RSS).
    @Test func memoryIsBoundedOnALargeJob() async throws {
        try await withRunnerCache { cache, _ in
            let payments = (0..<8).map { Payment(id: userID($0), billId: userID($0), amountCents: $0, paidAt: Date(timeIntervalSince1970: 0)) }
            let value = RecentPayments(payments: payments)
            let runner = WarmupRunner(cache: cache, tasks: [
                WarmupTask(spec: spec("large", batch: 100, concurrency: 4)) { sink in
                    for index in 0..<20_000 { try await sink.add(PaymentCache.recent(userId: userID(index)), value) }
                }
            ])
            let report = try #require(try await running(runner) { await reports(runner, 1) }.first)
            #expect(report.outcome == .succeeded && report.status.entriesWritten == 20_000)
            #expect(report.status.peakEntriesHeld <= 100 * 5, "held \(report.status.peakEntriesHeld)")
            #expect(try await keyCount(cache.redis) == 20_000)
        }
    }

    /// A failed batch is retried, not the whole job, with full-jitter backoff read from the
    /// injected clock: the server refuses writes (maxmemory) until the second retry's wait.
    @Test func failedBatchesAreRetriedWithFullJitterBackoff() async throws {
        try await withRunnerCache { cache, server in
            let admin = RedisClient(server.configuration)
            let waits = NIOLockedValueBox<[Duration]>([])
            let clock = WarmupClock.continuous
            let recording = WarmupClock(now: clock.now) { duration in
                let count = waits.withLockedValue { $0.append(duration); return $0.count }
                if count == 2 { try await admin.send(RESPCommand("CONFIG", "SET", "maxmemory", "0")) }
            }
            let retry = RetryPolicy(attempts: 4, backoff: .milliseconds(100), max: .milliseconds(150))
            let runner = WarmupRunner(
                cache: cache,
                tasks: [
                    job(spec("flaky", batch: 10, retry: retry), count: 30) { index in
                        if index == 10 { try await admin.send(RESPCommand("CONFIG", "SET", "maxmemory", "1")) }
                    }
                ], settings: .init(fleetLock: false), clock: recording)
            let report = try #require(try await running(runner) { await reports(runner, 1) }.first)
            #expect(report.outcome == .succeeded)
            #expect(report.status.batchesRetried == 1 && report.status.retries == 2, "only the refused batch was retried")
            #expect(report.status.entriesWritten == 30 && report.status.batchesWritten == 3)
            let recorded = waits.withLockedValue { $0 }
            #expect(recorded.count == 2)
            #expect(recorded.count == 2 && recorded[0] <= .milliseconds(100) && recorded[1] <= .milliseconds(150), "\(recorded)")
            #expect(try await keyCount(cache.redis) == 30)

            // Refused for good: the job fails after `attempts`, with the server's error.
            let waitsBefore = waits.withLockedValue { $0.count }
            try await admin.send(RESPCommand("CONFIG", "SET", "maxmemory", "1"))
            let stuck = WarmupClock(now: clock.now) { duration in waits.withLockedValue { $0.append(duration) } }
            let failing = WarmupRunner(
                cache: cache, tasks: [job(spec("refused", batch: 10, retry: retry), count: 30, first: 100)],
                settings: .init(fleetLock: false), clock: stuck)
            let failed = try #require(try await running(failing) { await reports(failing, 1) }.first)
            guard case .failed(let message) = failed.outcome else { Issue.record("\(failed.outcome)"); return }
            #expect(message.contains("4 attempt(s)") && message.contains("OOM"), "\(message)")
            #expect(failed.status.retries == 3 && failed.status.entriesWritten == 0)
            #expect(waits.withLockedValue { $0.count } - waitsBefore == 3)
            try await admin.send(RESPCommand("CONFIG", "SET", "maxmemory", "0"))
            await admin.shutdown()
        }
    }

    /// Two instances start the same job at once: one takes the fleet lock and warms, the other
    /// skips; the loader runs once. The lock is released after the run.
    @Test func theFleetLockLetsOneInstanceWarm() async throws {
        try await withRedisServer { server in
            let loads = NIOLockedValueBox(0)
            let runners = NIOLockedValueBox<[WarmupRunner]>([])
            func instance() -> (WarmupRunner, RedisClient) {
                let redis = RedisClient(server.configuration)
                let task = job(spec("shared", batch: 10), count: 50) { index in
                    if index == 0 {
                        loads.withLockedValue { $0 += 1 }
                        // Hold the lock until the other instance's run has ended (bounded, for
                        // when both took it): a stalled machine cannot start the second run
                        // only after the first released the lock.
                        let deadline = ContinuousClock.now + .seconds(60)
                        while ContinuousClock.now < deadline,
                            !runners.withLockedValue({ $0.contains { $0.status(of: id("shared"))?.lastOutcome != nil } })
                        {
                            try await Task.sleep(for: .milliseconds(5))
                        }
                    }
                }
                return (WarmupRunner(cache: CacheClient(redis: redis), tasks: [task]), redis)
            }
            let (first, firstRedis) = instance(), (second, secondRedis) = instance()
            runners.withLockedValue { $0 = [first, second] }
            async let a = running(first) { await reports(first, 1) }
            async let b = running(second) { await reports(second, 1) }
            let outcomes = [try await a, try await b].flatMap { $0 }.map(\.outcome)
            #expect(outcomes.filter { $0 == .succeeded }.count == 1, "\(outcomes)")
            #expect(outcomes.contains(.skipped("another instance holds the fleet lock")), "\(outcomes)")
            #expect(loads.withLockedValue { $0 } == 1)
            #expect(try await firstRedis.send(RESPCommand("EXISTS", FleetLock.key(for: id("shared")))).int == 0, "released")
            await firstRedis.shutdown()
            await secondRedis.shutdown()
        }
    }

    /// A job whose lock is taken over stops writing: renewal notices and the run ends with
    /// `lockLost`; no entry is written afterwards.
    @Test func aLostLockStopsWrites() async throws {
        try await withRunnerCache { cache, _ in
            let runner = WarmupRunner(
                cache: cache, tasks: [job(spec("slow", batch: 5, concurrency: 2), count: 100_000) { _ in try await Task.sleep(for: .milliseconds(1)) }],
                settings: .init(lockTTL: .seconds(1)))
            let report = try #require(try await running(runner) {
                while let status = runner.status(of: id("slow")), status.entriesWritten < 20, status.lastOutcome == nil {
                    try await Task.sleep(for: .milliseconds(5))
                }
                // Another instance took the lock over (say, after a failover lost ours).
                try await cache.redis.send(RESPCommand("SET", FleetLock.key(for: id("slow")), "someone-else", "PX", "10000"))
                return await reports(runner, 1)
            }.first)
            #expect(report.outcome == .lockLost)
            let written = try await keyCount(cache.redis)
            #expect(written == report.status.entriesWritten && written < 100_000)
            try await Task.sleep(for: .milliseconds(100))
            #expect(try await keyCount(cache.redis) == written, "nothing written after the run ended")
            #expect(try await cache.redis.send(RESPCommand("GET", FleetLock.key(for: id("slow")))).string == "someone-else", "not released: not ours")
            #expect(runner.status(of: id("slow"))?.failures == 1)
        }
    }

    /// Graceful shutdown of the service group stops a running job within one batch per writer
    /// and releases its lock.
    @Test func shutdownStopsWithinABatch() async throws {
        try await withRunnerCache { cache, _ in
            // What had been written when cancellation reached the job (read in the loader's cancellation handler).
            let atCancel = NIOLockedValueBox<Int?>(nil)
            let runnerBox = NIOLockedValueBox<WarmupRunner?>(nil)
            let endless = WarmupTask(spec: spec("endless", batch: 50, concurrency: 2)) { sink in
                try await withTaskCancellationHandler {
                    for index in 0..<10_000_000 { try await sink.add(PaymentCache.recent(userId: userID(index)), RecentPayments(payments: [])) }
                } onCancel: {
                    let written = runnerBox.withLockedValue { $0 }?.status(of: id("endless"))?.entriesWritten
                    atCancel.withLockedValue { $0 = written }
                }
            }
            let runner = WarmupRunner(cache: cache, tasks: [endless])
            runnerBox.withLockedValue { $0 = runner }
            let group = ServiceGroup(services: [runner], gracefulShutdownSignals: [], logger: Logger(label: "test"))
            let running = Task { try await group.run() }
            while let status = runner.status(of: id("endless")), status.entriesWritten < 500, status.lastOutcome == nil {
                try await Task.sleep(for: .milliseconds(2))
            }
            await group.triggerGracefulShutdown()
            try await running.value
            let cancelledAt = try #require(atCancel.withLockedValue { $0 })
            #expect(cancelledAt >= 500)
            let status = try #require(runner.status(of: id("endless")))
            #expect(status.lastOutcome == .cancelled)
            let written = try await keyCount(cache.redis)
            #expect(written == status.entriesWritten)
            #expect(written <= cancelledAt + 50 * 2, "at most the batches in flight finish: \(written - cancelledAt) more")
            #expect(try await cache.redis.send(RESPCommand("EXISTS", FleetLock.key(for: id("endless")))).int == 0, "released")
        }
    }

    /// `after:` events reach the runner through the service's invalidation listener: the example
    /// platform's `reference-data` job runs again after `provider.updated`.
    @Test func jobsRunAfterTheirEvents() async throws {
        try await withRunnerCache { cache, _ in
            struct Loaders: UtilityCache.Loaders {
                let calls: NIOLockedValueBox<Int>
                func utilityReferenceData(_ warmup: UtilityCache.ReferenceDataWarmup) async throws {
                    let call = calls.withLockedValue { $0 += 1; return $0 }
                    for type in UtilityCache.UtilityType.allCases {
                        try await warmup.providers(utilityType: type, value: ProviderList(providers: [Provider(id: "p\(call)", name: "Provider")]))
                    }
                    try await warmup.types(value: UtilityTypeList(types: UtilityCache.UtilityType.allCases.map(\.rawValue)))
                }
            }
            let calls = NIOLockedValueBox(0)
            let runner = WarmupRunner(cache: cache, tasks: UtilityCache.warmupTasks(Loaders(calls: calls)))
            let listener = UtilityCache.listener(
                cache: cache, settings: .init(block: .milliseconds(50), reconnectPolicy: ReconnectPolicy(initialDelay: .milliseconds(10))))
            runner.follow(listener)
            let listening = Task { await listener.run() }
            let ended = try await running(runner) {
                var ended: [WarmupRunner.Report] = []
                for await report in runner.runs {
                    ended.append(report)
                    if ended.count == 1 { _ = try await cache.publish(ProviderUpdated(providerId: "p1", utilityType: .gas)) }
                    if ended.count == 2 { break }
                }
                return ended
            }
            listening.cancel()
            await listening.value
            #expect(ended.map(\.trigger) == [.startup, .event("provider.updated")])
            #expect(ended.allSatisfy { $0.outcome == .succeeded })
            #expect(calls.withLockedValue { $0 } == 2)
            // The event's plan dropped the gas providers; the run after it wrote them back.
            #expect(try await cache.get(UtilityCache.providers(utilityType: .gas))?.providers.first?.id == "p2")
        }
    }

    /// A listener also reads the events its service's jobs run after, even ones it has no
    /// invalidation for.
    @Test func listenersHearTheEventsWarmupJobsRunAfter() async throws {
        enum AfterOnly: CompiledServicePolicy {
            static let policy = ServicePolicy(name: "svc", families: [], warmupJobs: [spec("a", after: ["x.changed"])], reactsTo: ["y.changed"])
            static func plan(forEvent name: String, payload: Data) throws -> InvalidationPlan? { nil }
        }
        let redis = RedisClient(RedisConfiguration(host: "127.0.0.1", port: 1))
        #expect(AfterOnly.listener(cache: CacheClient(redis: redis)).events == ["x.changed", "y.changed"])
        await redis.shutdown()
    }

    /// `every` runs the job again on schedule; status shows the next run.
    @Test func scheduledRunsRepeat() async throws {
        try await withRunnerCache { cache, _ in
            let runner = WarmupRunner(cache: cache, tasks: [job(spec("periodic", every: .milliseconds(150)), count: 10)])
            let ended = try await running(runner) { await reports(runner, 3) }
            #expect(ended.map(\.trigger) == [.startup, .schedule, .schedule])
            let status = ended[2].status
            #expect(status.runs == 3 && status.lastOutcome == .succeeded && status.lastDuration != nil)
            #expect(status.nextRun != nil && status.lastStart != nil)
        }
    }

    /// A job can be triggered by name; runs are logged through swift-log without values.
    @Test func jobsCanBeTriggeredAndRunsAreLogged() async throws {
        try await withRunnerCache { cache, _ in
            let log = LogCollector()
            let runner = WarmupRunner(
                cache: cache, tasks: [job(spec("on-demand"), count: 10), job(spec("twin", service: "a"), count: 1), job(spec("twin", service: "b"), count: 1)],
                logger: log.logger)
            #expect(throws: WarmupError.unknownJob("nope")) { try runner.trigger("nope") }
            #expect(throws: WarmupError.ambiguousJob("twin", services: ["a", "b"])) { try runner.trigger("twin") }
            let ended = try await running(runner) {
                var ended = await reports(runner, 3)
                let triggered = try runner.trigger("on-demand")
                #expect(triggered == id("on-demand"))
                ended += await reports(runner, 1)
                return ended
            }
            #expect(ended.last?.job == id("on-demand") && ended.last?.trigger == .manual && ended.last?.outcome == .succeeded)
            await #expect(throws: WarmupError.alreadyRunning) { try await runner.run() }
            let lines = log.lines
            #expect(lines.contains { $0.hasPrefix("info warmup job triggered") && $0.contains("job=svc/on-demand") }, "\(lines)")
            #expect(lines.filter { $0.hasPrefix("info warmup job finished") && $0.contains("entries=10") }.count == 2, "\(lines)")
            #expect(!lines.contains { $0.contains("payments") }, "no cached values in the log")
        }
    }

    /// Runs are counted per job and outcome (docs/metrics.md).
    @Test func runsAreMetered() async throws {
        try await withRunnerCache { cache, _ in
            let metrics = TestMetrics()
            let runner = WarmupRunner(
                cache: cache, tasks: [job(spec("metered", batch: 10), count: 25), WarmupTask(spec: spec("broken")) { _ in throw LoaderFailure() }],
                metrics: metrics)
            _ = try await running(runner) { await reports(runner, 2) }
            let labels = [("service", "svc"), ("job", "metered")]
            #expect(metrics.counterTotal(label: "cachepolicy_warmup_runs_total", dimensions: labels + [("outcome", "succeeded")]) == 1)
            #expect(metrics.counterTotal(label: "cachepolicy_warmup_entries_total", dimensions: labels) == 25)
            #expect(try metrics.expectTimer("cachepolicy_warmup_run_duration_seconds", labels).values.count == 1)
            #expect((try metrics.expectGauge("cachepolicy_warmup_last_success_timestamp_seconds", labels).lastValue ?? 0) > 1_700_000_000)
            #expect(metrics.counterTotal(label: "cachepolicy_warmup_runs_total", dimensions: [("job", "broken"), ("outcome", "failed")]) == 1)
        }
    }
}
