import Foundation
import RESP

// Operations per second through RedisClusterClient on the 3-primary cluster whose seed node is at
// CLUSTER_PORT: COMMAND (GET or SET) on keys spread over every slot, CALLERS concurrent callers
// (default 16) sharing the client, OPERATIONS in all. Prints the operations per second, to compare
// with `redis-benchmark --cluster -c CALLERS` in the same run (scripts/bench-cluster).

let environment = ProcessInfo.processInfo.environment
let port = Int(environment["CLUSTER_PORT"] ?? "") ?? 7000
let command = environment["COMMAND"] ?? "GET"
let operations = Int(environment["OPERATIONS"] ?? "") ?? 200_000
let callers = Int(environment["CALLERS"] ?? "") ?? 16

let client = RedisClusterClient(seeds: [("127.0.0.1", port)])
_ = try await client.slotMap()
let keys = (0..<10_000).map { "key:\($0)" }
let started = ContinuousClock.now
try await withThrowingTaskGroup(of: Void.self) { group in
    for caller in 0..<callers {
        group.addTask {
            for index in 0..<(operations / callers) {
                let key = keys[(caller &* 7_919 &+ index) % keys.count]
                let request = command == "SET" ? RESPCommand("SET", key, "xxx") : RESPCommand("GET", key)
                _ = try await client.send(request, key: key)
            }
        }
    }
    try await group.waitForAll()
}
let elapsed = ContinuousClock.now - started
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
print(Int(Double(operations) / seconds))
await client.shutdown()
