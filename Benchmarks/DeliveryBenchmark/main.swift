import CacheClient
import CacheRuntime
import ExamplePlatform
import Foundation
import NIOConcurrencyHelpers
import RESP

// Event delivery through streams with 8 instances of one service: how many times each event's
// Redis-side plan runs (the pub/sub design of the first version ran it once per instance), the
// throughput from publish to applied, and the latency of an event published alone. Against the
// redis-server at REDIS_PORT (scripts/bench-delivery starts one).

let port = Int(ProcessInfo.processInfo.environment["REDIS_PORT"] ?? "") ?? 6379
let events = Int(ProcessInfo.processInfo.environment["EVENTS"] ?? "") ?? 10_000
let instanceCount = 8
let redis = RedisClient(RedisConfiguration(port: port))
let cache = CacheClient(redis: redis)
let settings = InvalidationListener.Settings(block: .milliseconds(200))
let applied = NIOLockedValueBox<[String: Int]>([:])
let appliedAt = NIOLockedValueBox<[String: ContinuousClock.Instant]>([:])

func seconds(_ duration: Duration) -> Double { Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18 }

var instances: [Task<Void, Never>] = []
let ready = NIOLockedValueBox(0)
for index in 0..<instanceCount {
    let listener = PaymentCache.listener(cache: cache, instance: "instance-\(index)", settings: settings)
    instances.append(Task { await listener.run() })
    instances.append(Task {
        for await item in listener.activity {
            switch item {
            case .consuming: ready.withLockedValue { $0 += 1 }
            case .applied(_, let entry, _):
                let now = ContinuousClock.now
                applied.withLockedValue { $0[entry, default: 0] += 1 }
                appliedAt.withLockedValue { $0[entry] = now }
            default: break
            }
        }
    })
}
while ready.withLockedValue({ $0 }) < instanceCount { try await Task.sleep(for: .milliseconds(10)) }

// Throughput: publish a burst, wait until every entry was applied.
let start = ContinuousClock.now
for index in 0..<events {
    try await cache.publish(PaymentSucceeded(paymentId: UUID(), userId: UUID(), billId: UUID(), amountCents: index))
}
let published = ContinuousClock.now
while applied.withLockedValue({ $0.count }) < events { try await Task.sleep(for: .milliseconds(5)) }
let done = ContinuousClock.now
try await Task.sleep(for: .milliseconds(500))  // room for any duplicate to show
let runs = applied.withLockedValue { Array($0.values) }
print("\(instanceCount) instances of the payment service, \(events) events of payment.succeeded")
print(String(format: "plan runs per event: %.3f (min %d, max %d; the pub/sub design ran it %d times)",
             Double(runs.reduce(0, +)) / Double(runs.count), runs.min() ?? 0, runs.max() ?? 0, instanceCount))
print(String(format: "published in %.2f s (%.0f events/s); all applied after %.2f s (%.0f events/s end to end)",
             seconds(published - start), Double(events) / seconds(published - start), seconds(done - start), Double(events) / seconds(done - start)))

// Latency of a lone event, publish to applied, over 50 events.
var latencies: [Double] = []
for index in 0..<50 {
    let sent = ContinuousClock.now
    let entry = try await cache.publish(PaymentSucceeded(paymentId: UUID(), userId: UUID(), billId: UUID(), amountCents: index)).streamEntry
    while appliedAt.withLockedValue({ $0[entry] }) == nil { try await Task.sleep(for: .microseconds(200)) }
    latencies.append(seconds(appliedAt.withLockedValue { $0[entry]! } - sent) * 1000)
}
latencies.sort()
print(String(format: "publish → applied, one event at a time: p50 %.2f ms, p90 %.2f ms, max %.2f ms", latencies[25], latencies[45], latencies[49]))
for task in instances { task.cancel() }
await redis.shutdown()
