import Foundation
import RESP

// Operations per second of one shape against the redis-server at REDIS_PORT, as redis-benchmark
// measures it: SHAPE is `sequential` (one connection, one command at a time, like `-c 1`),
// `16 in flight` (one connection, batches of 16, like `-c 1 -P 16`) or `16 concurrent callers`
// (16 tasks sharing one client; redis-benchmark's `-c 16` uses 16 connections). COMMAND is GET or
// SET, OPERATIONS the count. Prints the operations per second.
//
// The callers run on the connection's event loop (`withTaskExecutorPreference`), as docs/runtime.md
// recommends for hot paths; EXECUTOR=global runs them on Swift's global executor instead, which
// pays a thread hop per command. CLIENT=bare-nio measures a callback-only SwiftNIO loop instead
// (BareNIOLoop.swift), the floor for any client built on SwiftNIO. The measured code runs outside
// the main actor.

struct Throughput: Sendable {
    let port: Int
    let operations: Int
    let shape: String
    let command: String
    let onEventLoop: Bool
    let bareNIO: Bool

    nonisolated func run() async throws -> Double {
        let key = "key:__rand_int__"
        let single = command == "SET" ? RESPCommand("SET", key, "xxx") : RESPCommand("GET", key)
        if bareNIO {
            let depth = shape == "16 in flight" ? 16 : 1
            return try await BareNIOLoop.run(port: port, command: single, depth: depth, operations: operations)
        }
        switch shape {
        case "sequential":
            let connection = try await RedisConnection.connect(RedisConfiguration(port: port))
            let result = try await measure(on: connection.executor) {
                for _ in 0..<operations { _ = try await connection.send(single) }
            }
            await connection.close()
            return result
        case "16 in flight":
            let connection = try await RedisConnection.connect(RedisConfiguration(port: port))
            let batch = Array(repeating: single, count: 16)
            let result = try await measure(on: connection.executor) {
                for _ in 0..<(operations / 16) { _ = try await connection.pipeline(batch) }
            }
            await connection.close()
            return result
        case "16 concurrent callers":
            let client = RedisClient(RedisConfiguration(port: port))
            _ = try await client.send(RESPCommand("PING"))
            let result = try await measure(on: client.executor) {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<16 {
                        group.addTask {
                            for _ in 0..<(operations / 16) { _ = try await client.send(single) }
                        }
                    }
                    try await group.waitForAll()
                }
            }
            await client.shutdown()
            return result
        default:
            throw CocoaError(.featureUnsupported, userInfo: [NSLocalizedDescriptionKey: "unknown SHAPE \(shape)"])
        }
    }

    nonisolated func measure(on executor: EventLoopTaskExecutor, _ body: @Sendable () async throws -> Void) async throws -> Double {
        let start = ContinuousClock.now
        if onEventLoop {
            try await withTaskExecutorPreference(executor) { try await body() }
        } else {
            try await body()
        }
        let elapsed = ContinuousClock.now - start
        return Double(operations) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
}

let environment = ProcessInfo.processInfo.environment
let opsPerSecond = try await Throughput(
    port: environment["REDIS_PORT"].flatMap(Int.init) ?? 6379,
    operations: environment["OPERATIONS"].flatMap(Int.init) ?? 100_000,
    shape: environment["SHAPE"] ?? "sequential",
    command: environment["COMMAND"] ?? "GET",
    onEventLoop: environment["EXECUTOR"] != "global",
    bareNIO: environment["CLIENT"] == "bare-nio"
).run()
print(Int(opsPerSecond))
