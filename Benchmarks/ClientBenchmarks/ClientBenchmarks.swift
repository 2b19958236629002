import Benchmark
import Foundation
import RESP

/// GET and SET round trips on one connection to the redis-server at REDIS_PORT (scripts/bench-redis
/// starts one). Reported per operation: allocations (malloc count) and throughput.
let benchmarks: @Sendable () -> Void = {
    guard let port = ProcessInfo.processInfo.environment["REDIS_PORT"].flatMap(Int.init) else {
        print("ClientBenchmarks: set REDIS_PORT (scripts/bench-redis does)")
        return
    }
    Benchmark.defaultConfiguration = .init(
        metrics: [.mallocCountTotal, .throughput, .wallClock], timeUnits: .microseconds,
        scalingFactor: .kilo, maxDuration: .seconds(5), maxIterations: 20)

    Benchmark("GET round trip, sequential") { benchmark in
        let connection = try await RedisConnection.connect(RedisConfiguration(port: port))
        try await connection.send(RESPCommand("SET", "bench:key", "value"))
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try await connection.send(RESPCommand("GET", "bench:key")))
        }
        benchmark.stopMeasurement()
        await connection.close()
    }

    Benchmark("GET, 16 in flight (pipelined batches)") { benchmark in
        let connection = try await RedisConnection.connect(RedisConfiguration(port: port))
        let batch = Array(repeating: RESPCommand("GET", "bench:key"), count: 16)
        benchmark.startMeasurement()
        for _ in 0..<(benchmark.scaledIterations.count / 16) {
            blackHole(try await connection.pipeline(batch))
        }
        benchmark.stopMeasurement()
        await connection.close()
    }
}
