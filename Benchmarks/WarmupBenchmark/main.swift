import CacheClient
@_spi(Generated) import CacheRuntime
import CacheWarmup
import Foundation
import RESP

// Peak memory of one warmup job writing ENTRIES entries (default 1,000,000) of 1 KiB, against
// the redis-server at REDIS_PORT. `stream` runs the job through the WarmupRunner (the loader
// streams; batch 500, concurrency 8); `collect` is the baseline of the first version's API: the
// loader fills one list for the whole job, then it is written in the same batches. Each mode
// runs in a process of its own (peak RSS only grows); scripts/bench-warmup runs both.

let environment = ProcessInfo.processInfo.environment
let port = Int(environment["REDIS_PORT"] ?? "") ?? 6379
let count = Int(environment["ENTRIES"] ?? "") ?? 1_000_000
let mode = CommandLine.arguments.dropFirst().first ?? "stream"
let (batch, concurrency) = (500, 8)

func peakRSSMiB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024  // kilobytes on Linux
}

let family = KeyFamilySpec(service: "bench", name: "session", pattern: "bench:session:{id}", ttl: .seconds(600), jitter: 0.1, codec: .string, compression: .none)
let value = String(repeating: "x", count: 1_024)
func key(_ index: Int) -> CacheKey<String> { CacheKey(key: "bench:session:\(index)", family: family, codec: .string) }

let redis = RedisClient(RedisConfiguration(port: port))
let cache = CacheClient(redis: redis)
_ = try await redis.send(RESPCommand("FLUSHALL"))
let before = peakRSSMiB()
let started = ContinuousClock.now
var held = 0
switch mode {
case "stream":
    let spec = WarmupJobSpec(
        name: "sessions", service: "bench", families: ["session"], source: "sessions", priority: .high, every: nil, after: [], batch: batch,
        concurrency: concurrency, retry: RetryPolicy(attempts: 3, backoff: .milliseconds(100), max: .seconds(1)))
    let task = WarmupTask(spec: spec) { sink in
        for index in 0..<count { try await sink.add(key(index), value) }
    }
    let runner = WarmupRunner(cache: cache, tasks: [task], settings: .init(fleetLock: false))
    let running = Task { try await runner.run() }
    for await report in runner.runs {
        precondition(report.outcome == .succeeded, "\(report.outcome)")
        held = report.status.peakEntriesHeld
        break
    }
    running.cancel()
    try await running.value
case "collect":
    var all: [CacheEntry] = []
    for index in 0..<count { all.append(try CacheEntry(key(index), value)) }
    held = all.count
    try await withThrowingTaskGroup(of: Void.self) { group in
        var next = 0
        for start in stride(from: 0, to: all.count, by: batch) {
            var entries = WarmupEntries()
            for entry in all[start..<min(start + batch, all.count)] { entries.append(entry) }
            if next >= concurrency { try await group.next() } else { next += 1 }
            group.addTask { try await cache.write(entries) }
        }
        try await group.waitForAll()
    }
default:
    fatalError("usage: WarmupBenchmark stream|collect")
}
let elapsed = ContinuousClock.now - started
let written = try await redis.send(RESPCommand("DBSIZE")).int ?? 0
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
print(String(format: "%@: %d entries of 1 KiB in %.2f s (%.0f/s); peak RSS %.0f MiB (%.0f MiB before the job); most entries held at once: %d; keys in Redis: %d",
             mode, count, seconds, Double(count) / seconds, peakRSSMiB(), before, held, written))
await redis.shutdown()
