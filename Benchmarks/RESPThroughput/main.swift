import Foundation
import RESP

// Operations per second against the redis-server at REDIS_PORT, in the shapes redis-benchmark uses:
// one connection sequential (-c 1), one connection with 16 in flight (-c 1 -P 16), and 16
// concurrent callers sharing one client. Prints `name,ops_per_second` lines (CSV).

let port = ProcessInfo.processInfo.environment["REDIS_PORT"].flatMap(Int.init) ?? 6379
let operations = ProcessInfo.processInfo.environment["OPERATIONS"].flatMap(Int.init) ?? 100_000
let connection = try await RedisConnection.connect(RedisConfiguration(port: port))
try await connection.send(RESPCommand("SET", "key:__rand_int__", String(repeating: "x", count: 3)))

func measure(_ name: String, _ body: () async throws -> Void) async rethrows {
    let start = ContinuousClock.now
    try await body()
    let elapsed = ContinuousClock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    print("\(name),\(Int(Double(operations) / seconds))")
}

for command in ["SET", "GET"] {
    let single = command == "SET" ? RESPCommand("SET", "key:__rand_int__", "xxx") : RESPCommand("GET", "key:__rand_int__")
    try await measure("\(command) sequential") {
        for _ in 0..<operations { _ = try await connection.send(single) }
    }
    let batch = Array(repeating: single, count: 16)
    try await measure("\(command) 16 in flight") {
        for _ in 0..<(operations / 16) { _ = try await connection.pipeline(batch) }
    }
    let client = RedisClient(RedisConfiguration(port: port))
    try await measure("\(command) 16 concurrent callers") {
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
}
await connection.close()
