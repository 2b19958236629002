import Benchmark
import Foundation
import RESP
import CacheClient
import ExamplePlatform

/// GET round trips on one connection to the redis-server at REDIS_PORT (scripts/bench-redis starts
/// one). Each GET builds its command, as callers do. One benchmark iteration is 1,000 GETs, so the
/// malloc count is exact per 1,000 GETs (ordo-one's scaled output rounds per-operation counts).
let benchmarks: @Sendable () -> Void = {
    guard let port = ProcessInfo.processInfo.environment["REDIS_PORT"].flatMap(Int.init) else {
        print("ClientBenchmarks: set REDIS_PORT (scripts/bench-redis does)")
        return
    }
    Benchmark.defaultConfiguration = .init(
        metrics: [.mallocCountTotal, .throughput, .wallClock], timeUnits: .microseconds,
        scalingFactor: .one, maxDuration: .seconds(5), maxIterations: 20)
    let gets = 0..<1_000

    /// The caller runs on the connection's event loop (the hot path docs/runtime.md recommends).
    Benchmark("1,000 GETs, sequential, on the event loop") { benchmark in
        let connection = try await RedisConnection.connect(RedisConfiguration(port: port))
        try await connection.send(RESPCommand("SET", "bench:key", "value"))
        try await withTaskExecutorPreference(connection.executor) {
            benchmark.startMeasurement()
            for _ in gets {
                blackHole(try await connection.send(RESPCommand("GET", "bench:key")))
            }
            benchmark.stopMeasurement()
        }
        await connection.close()
    }

    Benchmark("1,000 GETs, 16 in flight (pipelined batches), on the event loop") { benchmark in
        let connection = try await RedisConnection.connect(RedisConfiguration(port: port))
        try await withTaskExecutorPreference(connection.executor) {
            benchmark.startMeasurement()
            for _ in 0..<(gets.count / 16) {
                let batch = Array(repeating: RESPCommand("GET", "bench:key"), count: 16)
                blackHole(try await connection.pipeline(batch))
            }
            benchmark.stopMeasurement()
        }
        await connection.close()
    }

    /// The same from Swift's global executor: a hop to the event loop and back per command.
    Benchmark("1,000 GETs, sequential, from the global executor") { benchmark in
        let connection = try await RedisConnection.connect(RedisConfiguration(port: port))
        benchmark.startMeasurement()
        for _ in gets {
            blackHole(try await connection.send(RESPCommand("GET", "bench:key")))
        }
        benchmark.stopMeasurement()
        await connection.close()
    }

    /// A service's read through the generated API: key building, GET, JSON decode (the value
    /// itself allocates: a page of two payments).
    Benchmark("1,000 typed gets (generated key, JSON value), on the event loop") { benchmark in
        let redis = RedisClient(RedisConfiguration(port: port))
        let cache = CacheClient(redis: redis)
        let user = UUID()
        try await cache.set(PaymentCache.history(userId: user, page: 1), PaymentHistoryPage(page: 1, payments: []))
        try await withTaskExecutorPreference(redis.executor) {
            benchmark.startMeasurement()
            for _ in gets {
                blackHole(try await cache.get(PaymentCache.history(userId: user, page: 1)))
            }
            benchmark.stopMeasurement()
        }
        await redis.shutdown()
    }
}
