@_spi(Internals) import CacheClient
import CacheRuntime
import ExamplePlatform
import Foundation
import NIOCore
import NIOFoundationCompat
import Prometheus
import RESP
import CacheMonitoring
import CoreMetrics

// A service's real read and write through the generated API (key building, GET/SET, JSON
// encode/decode of a ~240-byte PaymentHistoryPage) against the raw GET/SET of the same key and
// bytes, and a bare JSONDecoder/JSONEncoder on the same bytes, in one run, callers on the client's
// event loop. Goal (issue 9): the typed path's extra cost over the raw command ≤ 1.5× a bare
// decode (reads) or encode (writes). Against the redis-server at REDIS_PORT (scripts/bench-redis).

let port = Int(ProcessInfo.processInfo.environment["REDIS_PORT"] ?? "") ?? 6379
let operations = Int(ProcessInfo.processInfo.environment["TYPED_OPS"] ?? "") ?? 20_000
let rounds = Int(ProcessInfo.processInfo.environment["ROUNDS"] ?? "") ?? 5

let user = UUID(uuidString: "3F2B8C1E-9A4D-4E2B-8F1A-0C6D5E4B3A21")!
let page = PaymentHistoryPage(page: 1, payments: (0..<2).map { index in
    Payment(
        id: UUID(uuidString: "00000000-0000-4000-8000-00000000000\(index)")!, billId: user, amountCents: 12_345 + index,
        paidAt: Date(timeIntervalSince1970: 1_764_000_000 + Double(index)))
})

func microseconds(_ duration: Duration) -> Double { Double(duration.components.attoseconds) / 1e12 + Double(duration.components.seconds) * 1e6 }
func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

/// Per-operation time of `body`, run `operations` times on the client's event loop.
func perOperation(_ client: RedisClient, _ body: @Sendable @escaping () async throws -> Void) async throws -> Double {
    try await withTaskExecutorPreference(client.executor) {
        let start = ContinuousClock.now
        for _ in 0..<operations { try await body() }
        return microseconds(ContinuousClock.now - start) / Double(operations)
    }
}

/// Per-operation time of `body` with 16 callers sharing the client (the event loop stays busy, so
/// this is the CPU cost per operation, not a round trip's latency).
func perOperationConcurrent(_ client: RedisClient, _ body: @Sendable @escaping () async throws -> Void) async throws -> Double {
    try await withTaskExecutorPreference(client.executor) {
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<16 { group.addTask { for _ in 0..<(operations / 16) { try await body() } } }
            try await group.waitForAll()
        }
        return microseconds(ContinuousClock.now - start) / Double(operations)
    }
}

let redis = RedisClient(RedisConfiguration(port: port))
let cache = CacheClient(redis: redis)
let key = PaymentCache.history(userId: user, page: 1)
try await cache.set(key, page)
guard case .bulkString(let stored) = try await redis.send(RESPCommand("GET", key.key)) else { fatalError("no value") }
let json = try ValueCompression.unwrap(stored, policy: key.family.compression)
print("value: \(json.readableBytes) bytes of JSON (\(PaymentHistoryPage.self); its family compresses over 1 KiB, so it is stored raw behind a 1-byte header)")

// The tagged-write script the cache runs (the history family has a tag and an index set): the
// raw command a typed write amounts to.
let setTaggedSHA = try await redis.send(RESPCommand("SCRIPT", "LOAD", CacheClient.taggedWriteScript)).string!
/// The raw command of a tagged write of the stored value.
let taggedWrite: @Sendable () -> RESPCommand = { [setTaggedSHA, key, stored] in
    var script = RESPCommand("EVALSHA", setTaggedSHA, "3", key.key)
    script.append(contentsOf: key.tags)
    script.append(stored)
    script.append(900_000)
    return script
}

let decoder = JSONDecoder()
decoder.dateDecodingStrategy = .iso8601
let encoder = JSONEncoder()
encoder.dateEncodingStrategy = .iso8601
// Metrics on (swift-prometheus, as `CachePrometheus.factory` sets it up) against off (swift-metrics'
// no-op handler), same client, same key. Goal (issue 11): throughput on ≥ 0.9× off.
let registry = PrometheusCollectorRegistry()
let metered = CacheClient(redis: redis, metrics: CachePrometheus.factory(registry))
let unmetered = CacheClient(redis: redis, metrics: NOOPMetricsHandler.instance)
var samples: [String: [Double]] = [:]
for _ in 0..<rounds {
    samples["get, metrics off", default: []].append(try await perOperation(redis) { _ = try await unmetered.get(PaymentCache.history(userId: user, page: 1)) })
    samples["get, metrics on", default: []].append(try await perOperation(redis) { _ = try await metered.get(PaymentCache.history(userId: user, page: 1)) })
    samples["get ×16, metrics off", default: []].append(try await perOperationConcurrent(redis) { _ = try await unmetered.get(PaymentCache.history(userId: user, page: 1)) })
    samples["get ×16, metrics on", default: []].append(try await perOperationConcurrent(redis) { _ = try await metered.get(PaymentCache.history(userId: user, page: 1)) })
    samples["raw GET", default: []].append(try await perOperation(redis) { _ = try await redis.send(RESPCommand("GET", key.key)) })
    samples["typed get", default: []].append(try await perOperation(redis) { _ = try await cache.get(PaymentCache.history(userId: user, page: 1)) })
    samples["raw GET ×16", default: []].append(try await perOperationConcurrent(redis) { _ = try await redis.send(RESPCommand("GET", key.key)) })
    samples["typed get ×16", default: []].append(try await perOperationConcurrent(redis) { _ = try await cache.get(PaymentCache.history(userId: user, page: 1)) })
    samples["raw EVALSHA ×16", default: []].append(try await perOperationConcurrent(redis) {
        _ = try await redis.send(taggedWrite())
    })
    samples["manual set ×16", default: []].append(try await perOperationConcurrent(redis) {
        let typed = PaymentCache.history(userId: user, page: 1)
        let bytes = try typed.encode(page)
        var script = RESPCommand("EVALSHA", setTaggedSHA, "3", typed.key)
        script.append(contentsOf: typed.tags)
        script.append(bytes)
        script.append(900_000)
        _ = try await redis.send(script)
    })
    samples["typed set ×16", default: []].append(try await perOperationConcurrent(redis) { try await cache.set(PaymentCache.history(userId: user, page: 1), page) })
    samples["manual get", default: []].append(try await perOperation(redis) {
        let typed = PaymentCache.history(userId: user, page: 1)
        guard case .bulkString(let bytes) = try await redis.send(RESPCommand("GET", typed.key)) else { return }
        _ = try typed.decode(bytes)
    })
    samples["key building", default: []].append(try await perOperation(redis) { _ = PaymentCache.history(userId: user, page: 1) })
    samples["codec decode", default: []].append(try await perOperation(redis) { _ = try key.decode(stored) })
    samples["bare decode", default: []].append(try await perOperation(redis) { _ = try decoder.decode(PaymentHistoryPage.self, from: json) })
    samples["raw SET", default: []].append(try await perOperation(redis) {
        var set = RESPCommand("SET", key.key)
        set.append(stored)
        set.append("PX")
        set.append(900_000)
        _ = try await redis.send(set)
    })
    samples["raw EVALSHA", default: []].append(try await perOperation(redis) {
        _ = try await redis.send(taggedWrite())
    })
    samples["typed set", default: []].append(try await perOperation(redis) { try await cache.set(PaymentCache.history(userId: user, page: 1), page) })
    samples["bare encode", default: []].append(try await perOperation(redis) { _ = try encoder.encode(page) })
}
let m = samples.mapValues(median)
for name in ["raw GET", "typed get", "manual get", "key building", "codec decode", "bare decode", "raw SET", "raw EVALSHA", "typed set", "bare encode",
             "raw GET ×16", "typed get ×16", "raw EVALSHA ×16", "manual set ×16", "typed set ×16"] {
    print(String(format: "%-12@ %8.2f µs", name as NSString, m[name]!))
}
let readExtra = m["typed get"]! - m["raw GET"]!
let writeExtra = m["typed set"]! - m["raw EVALSHA"]!
print(String(format: "read: typed - raw = %.2f µs = %.2f× a bare decode (goal ≤ 1.5×)", readExtra, readExtra / m["bare decode"]!))
print(String(format: "write: typed - raw EVALSHA (the tagged write's command) = %.2f µs = %.2f× a bare encode (goal ≤ 1.5×)", writeExtra, writeExtra / m["bare encode"]!))
let readCPU = m["typed get ×16"]! - m["raw GET ×16"]!
let writeCPU = m["typed set ×16"]! - m["raw EVALSHA ×16"]!
print(String(format: "16 callers (CPU per operation): read typed - raw = %.2f µs = %.2f× a bare decode; write typed - raw = %.2f µs = %.2f× a bare encode",
             readCPU, readCPU / m["bare decode"]!, writeCPU, writeCPU / m["bare encode"]!))
print(String(format: "metrics (Prometheus) on / off, GET throughput: %.3f× sequential (%.2f vs %.2f µs), %.3f× with 16 callers (%.2f vs %.2f µs); goal ≥ 0.9×",
             m["get, metrics off"]! / m["get, metrics on"]!, m["get, metrics on"]!, m["get, metrics off"]!,
             m["get ×16, metrics off"]! / m["get ×16, metrics on"]!, m["get ×16, metrics on"]!, m["get ×16, metrics off"]!))
await redis.shutdown()
