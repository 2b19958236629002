@_spi(Generated) import CacheRuntime
import CacheClient
import Foundation
import RESP

// Fetch latency when Redis dies: a 5 ms loader; the server at REDIS_PORT is shut down mid-run
// (SHUTDOWN NOSAVE). Reports p50/p99 of fetch while Redis is up, right after the kill (until the
// breaker opens) and once the breaker is open, against the loader's own latency measured in the
// same run. Goal (issue 10): p99 with the breaker open ≤ the loader's latency + 1 ms.
// Run with scripts/run-benchmark DegradationBenchmark.

let port = Int(ProcessInfo.processInfo.environment["REDIS_PORT"] ?? "") ?? 6379
var configuration = RedisConfiguration(port: port)
configuration.commandTimeout = .milliseconds(500)
let redis = RedisClient(configuration)
let cache = CacheClient(redis: redis)
let family = KeyFamilySpec(service: "bench", name: "item", pattern: "bench:item:{id}", ttl: .seconds(60), jitter: 0, codec: .int, compression: .none)
let loader: @Sendable () async throws -> Int = {
    try await Task.sleep(for: .milliseconds(5))
    return 1
}

func milliseconds(_ duration: Duration) -> Double { Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15 }
func percentile(_ values: [Double], _ p: Int) -> Double { values.sorted()[min(values.count - 1, values.count * p / 100)] }

func measure(_ count: Int, _ body: () async throws -> Void) async rethrows -> [Double] {
    var times: [Double] = []
    for _ in 0..<count {
        let start = ContinuousClock.now
        try await body()
        times.append(milliseconds(ContinuousClock.now - start))
    }
    return times
}

let bare = try await measure(500) { _ = try await loader() }
var index = 0
let up = try await measure(500) {
    index += 1
    _ = try await cache.fetch(CacheKey(key: "bench:item:\(index % 50)", family: family, codec: .int), loader: loader)
}
_ = try? await redis.send(RESPCommand("SHUTDOWN", "NOSAVE"))
var transition: [Double] = []
while case .closed = cache.breakerState {
    transition += try await measure(1) {
        index += 1
        _ = try await cache.fetch(CacheKey(key: "bench:item:\(index % 50)", family: family, codec: .int), loader: loader)
    }
}
let open = try await measure(2_000) {
    index += 1
    _ = try await cache.fetch(CacheKey(key: "bench:item:\(index % 50)", family: family, codec: .int), loader: loader)
}
print("fetch with a 5 ms loader (ms)               p50      p99")
print(String(format: "the loader alone                         %6.2f   %6.2f", percentile(bare, 50), percentile(bare, 99)))
print(String(format: "Redis up (mostly hits)                   %6.2f   %6.2f", percentile(up, 50), percentile(up, 99)))
print(String(format: "Redis killed, breaker still closed (%2d)  %6.2f   %6.2f", transition.count, percentile(transition, 50), percentile(transition, 99)))
print(String(format: "Redis killed, breaker open               %6.2f   %6.2f   (p99 − loader p99 = %.2f ms; goal ≤ 1)",
             percentile(open, 50), percentile(open, 99), percentile(open, 99) - percentile(bare, 99)))
