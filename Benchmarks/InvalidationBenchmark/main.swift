import CacheClient
@_spi(Generated) import CacheRuntime
import Foundation
import NIOCore
import RESP

// Pattern invalidation through index sets against SCAN, over keyspaces of 10k, 100k and 1M keys,
// and the cost indexes add to writes, all against the redis-server at REDIS_PORT, in one run
// (scripts/bench-invalidation starts one). Each user has 20 history pages; invalidating a user
// removes exactly those 20 keys.

let port = Int(ProcessInfo.processInfo.environment["REDIS_PORT"] ?? "") ?? 6379
let sizes = (ProcessInfo.processInfo.environment["SIZES"] ?? "10000,100000,1000000").split(separator: ",").compactMap { Int($0) }
let redis = RedisClient(RedisConfiguration(port: port, commandTimeout: .seconds(120)))
let cache = CacheClient(redis: redis)
let family = KeyFamilySpec(
    service: "payment", name: "history", pattern: "payment:history:{userId}:{page}", ttl: .seconds(3600), jitter: 0,
    codec: .string, compression: .none)
let plainFamily = KeyFamilySpec(
    service: "payment", name: "plain", pattern: "payment:plain:{userId}:{page}", ttl: .seconds(3600), jitter: 0,
    codec: .string, compression: .none)

func user(_ index: Int) -> String { String(format: "u%07d", index) }
func index(_ user: String) -> String { KeyFamilySpec.indexKey(service: "payment", "payment:history:\(user):*") }
func key(_ user: String, _ page: Int) -> CacheKey<String> {
    CacheKey(key: "payment:history:\(user):\(page)", family: family, tags: [index(user)], codec: .string)
}

func milliseconds(_ duration: Duration) -> Double { Double(duration.components.attoseconds) / 1e15 + Double(duration.components.seconds) * 1000 }
func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

/// Fills `count` keys (count / 20 users × 20 pages), each in its user's index set, as fast as a
/// pipeline allows (raw SET + SADD: the same data a tagged write leaves).
func fill(_ count: Int) async throws {
    _ = try await redis.send(RESPCommand("FLUSHALL"))
    var batch: [RESPCommand] = []
    for userIndex in 0..<(count / 20) {
        let name = user(userIndex)
        var add = RESPCommand("SADD", index(name))
        for page in 0..<20 {
            let key = "payment:history:\(name):\(page)"
            batch.append(RESPCommand("SET", key, "v", "PX", "3600000"))
            add.append(key)
        }
        batch.append(add)
        batch.append(RESPCommand("PEXPIRE", index(name), "3600000"))
        if batch.count >= 20_000 {
            _ = try await redis.pipeline(batch)
            batch.removeAll(keepingCapacity: true)
        }
    }
    if !batch.isEmpty { _ = try await redis.pipeline(batch) }
}

print("Pattern invalidation removing 20 keys (one user's history), median over runs")
print("keyspace      index set (ms)   SCAN (ms)   SCAN / index   SCAN round trips")
var indexMedians: [Double] = []
for size in sizes {
    try await fill(size)
    let dbsize = try await redis.send(RESPCommand("DBSIZE")).int ?? 0
    var indexed: [Double] = []
    for run in 0..<50 {
        let name = user(run * 7 % (size / 20))
        let plan = InvalidationPlan(service: "payment", event: "bench", indexes: [index(name)])
        let start = ContinuousClock.now
        let result = try await cache.invalidate(plan)
        indexed.append(milliseconds(ContinuousClock.now - start))
        precondition(result.indexMembers == 20, "the index set removed \(result.indexMembers)")
    }
    var scanned: [Double] = []
    let scanRuns = size >= 1_000_000 ? 3 : 7
    for run in 0..<scanRuns {
        let name = user(size / 20 - 1 - run)
        let plan = InvalidationPlan(service: "payment", event: "bench", patterns: ["payment:history:\(name):*"])
        let start = ContinuousClock.now
        let result = try await cache.invalidate(plan)
        scanned.append(milliseconds(ContinuousClock.now - start))
        precondition(result.patternMatches == 20, "SCAN removed \(result.patternMatches)")
    }
    let roundTrips = 2 * (Int(dbsize) / cache.scanBatch + 1)
    indexMedians.append(median(indexed))
    print(String(format: "%9d   %14.3f   %9.1f   %12.0f×   %16d", Int(dbsize), median(indexed), median(scanned), median(scanned) / median(indexed), roundTrips))
}
if let first = indexMedians.first, let last = indexMedians.last {
    print(String(format: "index-set cost, largest keyspace / smallest: %.2f× (flat means ≈ 1)", last / first))
}

// Writes: an indexed family (one script: SET + SADD + PEXPIRE) against a plain one (SET … PX).
_ = try await redis.send(RESPCommand("FLUSHALL"))
var plainTimes: [Double] = [], indexedTimes: [Double] = []
for round in 0..<5 {
    let start = ContinuousClock.now
    for page in 0..<2_000 {
        try await cache.set(CacheKey(key: "payment:plain:w\(round):\(page)", family: plainFamily, codec: .string), "value")
    }
    plainTimes.append(milliseconds(ContinuousClock.now - start) / 2_000)
    let middle = ContinuousClock.now
    for page in 0..<2_000 { try await cache.set(key("w\(round)", page), "value") }
    indexedTimes.append(milliseconds(ContinuousClock.now - middle) / 2_000)
}
print(String(format: "Sequential writes: plain %.1f µs, indexed %.1f µs per write: indexed / plain %.2f×",
             median(plainTimes) * 1000, median(indexedTimes) * 1000, median(indexedTimes) / median(plainTimes)))
await redis.shutdown()
