@_spi(Generated) import CacheRuntime
import CacheClient
import Foundation
import NIOConcurrencyHelpers
import RESP

// 64 concurrent readers of one hot key across 10 expiries, with and without early refresh: how
// many times the loader ran, and the slowest read. The loader takes 20 ms (a database query).
// Against the redis-server at REDIS_PORT (scripts/run-benchmark EarlyRefreshBenchmark).

let port = Int(ProcessInfo.processInfo.environment["REDIS_PORT"] ?? "") ?? 6379
let ttl = Duration.milliseconds(500)
let redis = RedisClient(RedisConfiguration(port: port))
let cache = CacheClient(redis: redis)

func milliseconds(_ duration: Duration) -> Double { Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15 }

func run(refreshAhead: Double?) async throws -> (loads: Int, slowest: Double, p99: Double, reads: Int) {
    let family = KeyFamilySpec(
        service: "bench", name: "hot", pattern: "bench:hot:{id}", ttl: ttl, jitter: 0, codec: .int, compression: .none,
        refreshAhead: refreshAhead)
    let key = CacheKey(key: "bench:hot:\(refreshAhead == nil ? "plain" : "early")", family: family, codec: .int)
    let loads = NIOLockedValueBox(0)
    let loader: @Sendable () async throws -> Int = {
        try await Task.sleep(for: .milliseconds(20))
        return loads.withLockedValue { $0 += 1; return $0 }
    }
    _ = try await cache.fetch(key, loader: loader)  // warm-up: the first load is not counted
    loads.withLockedValue { $0 = 0 }
    let stop = ContinuousClock.now + ttl * 10
    let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
        for _ in 0..<64 {
            group.addTask {
                var times: [Double] = []
                while ContinuousClock.now < stop {
                    let start = ContinuousClock.now
                    _ = try await cache.fetch(key, loader: loader)
                    times.append(milliseconds(ContinuousClock.now - start))
                    try await Task.sleep(for: .milliseconds(1))
                }
                return times
            }
        }
        return try await group.reduce(into: [Double]()) { $0 += $1 }.sorted()
    }
    return (loads.withLockedValue { $0 }, latencies.last ?? 0, latencies[latencies.count * 99 / 100], latencies.count)
}

print("64 readers of one key, TTL 500 ms, 10 expiries, a 20 ms loader")
for (name, ahead) in [("without early refresh", nil), ("refresh: { ahead: 20% }", 0.2)] as [(String, Double?)] {
    let result = try await run(refreshAhead: ahead)
    print(String(format: "%-26@ loader calls %3d   reads %6d   p99 %6.2f ms   slowest %6.2f ms", name as NSString, result.loads, result.reads, result.p99, result.slowest))
}
await redis.shutdown()
