@testable import CacheClient
@_spi(Generated) import CacheRuntime
import ExamplePlatform
import Foundation
import MetricsTestKit
import NIOConcurrencyHelpers
import RESP
import RedisTestSupport
import TestSupport
import Testing

/// The client's swift-metrics instruments and per-service statistics (docs/metrics.md), recorded
/// against a real redis-server into swift-metrics' test kit.
@Suite("Metrics (real redis-server)", .hangLimit)
struct MetricsTests {
    func withMeteredCache<T>(_ body: (CacheClient, TestMetrics, RedisServer) async throws -> T) async throws -> T {
        try await withRedisServer { server in
            let metrics = TestMetrics()
            let redis = RedisClient(server.configuration, metrics: metrics)
            let cache = CacheClient(redis: redis, metrics: metrics)
            let result = try await body(cache, metrics, server)
            await redis.shutdown()
            return result
        }
    }

    func requests(_ metrics: TestMetrics, _ family: String, _ operation: String, _ outcome: String, service: String = "payment") -> Int64 {
        metrics.counterTotal(
            label: MetricName.requests, dimensions: [("service", service), ("family", family), ("operation", operation), ("outcome", outcome)])
    }

    @Test func readsWritesAndDeletesAreCountedAndTimedPerFamily() async throws {
        try await withMeteredCache { cache, metrics, _ in
            let key = PaymentCache.recent(userId: alice)
            #expect(try await cache.get(key) == nil)
            try await cache.set(key, RecentPayments(payments: []))
            _ = try await cache.get(key)
            _ = try await cache.mget([key, PaymentCache.recent(userId: bob)])
            try await cache.delete(key)
            #expect(requests(metrics, "recent", "get", "miss") == 2)
            #expect(requests(metrics, "recent", "get", "hit") == 2)
            #expect(requests(metrics, "recent", "set", "ok") == 1)
            #expect(requests(metrics, "recent", "delete", "ok") == 1)
            let timer = try metrics.expectTimer(MetricName.requestDuration, [("service", "payment"), ("family", "recent"), ("operation", "get")])
            #expect(timer.values.count == 4 && timer.values.allSatisfy { $0 > 0 })
            // A near-cached family: the second read is answered in process.
            let near = CacheKey(key: "test:near:1", family: family("near", codec: .string, near: 10), codec: .string)
            try await cache.set(near, "v")
            _ = try await cache.get(near)
            #expect(requests(metrics, "near", "get", "near_hit", service: "test") == 1)
            // Statistics per service, for the health report.
            let payment = cache.statistics(for: "payment")
            #expect(payment.hits == 2 && payment.misses == 2 && payment.errors == 0 && payment.requests == 6)
            #expect(payment.hitRate == 0.5 && payment.latency(quantile: 0.99) != nil)
        }
    }

    @Test func fetchOutcomesLoaderTimeAndRefusedLeases() async throws {
        try await withMeteredCache { cache, metrics, _ in
            let key = PaymentCache.recent(userId: alice)
            let gate = NIOLockedValueBox(0)
            async let first = cache.fetch(key) {
                try await Task.sleep(for: .milliseconds(100))
                gate.withLockedValue { $0 += 1 }
                return RecentPayments(payments: [])
            }
            try await Task.sleep(for: .milliseconds(20))
            async let second = cache.fetch(key) { RecentPayments(payments: []) }
            _ = try await (first, second)
            _ = try await cache.fetch(key) { RecentPayments(payments: []) }
            #expect(requests(metrics, "recent", "fetch", "loaded") == 1)
            #expect(requests(metrics, "recent", "fetch", "coalesced") == 1)
            #expect(requests(metrics, "recent", "fetch", "hit") == 1)
            let loader = try metrics.expectTimer(MetricName.loaderDuration, [("service", "payment"), ("family", "recent")])
            // The loader sleeps 100 ms; a timer may fire a hair early against the monotonic clock.
            #expect(loader.values.count == 1 && loader.values[0] >= 90_000_000)
            // An invalidation during the load: the store is refused, and counted.
            let other = PaymentCache.recent(userId: bob)
            _ = try await cache.fetch(other) {
                _ = try await cache.delete(other)
                return RecentPayments(payments: [])
            }
            #expect(metrics.counterTotal(label: MetricName.leaseRefused, dimensions: [("family", "recent")]) == 1)
        }
    }

    @Test func decodeFailuresInvalidationsAndEventsAreCounted() async throws {
        try await withMeteredCache { cache, metrics, _ in
            let key = PaymentCache.recent(userId: alice)
            try await cache.redis.send(RESPCommand("SET", key.key, "not json"))
            #expect(try await cache.get(key) == nil)
            #expect(metrics.counterTotal(label: MetricName.decodeFailures, dimensions: [("service", "payment"), ("family", "recent")]) == 1)

            try await cache.set(key, RecentPayments(payments: []))
            try await cache.set(PaymentCache.history(userId: alice, page: 1), PaymentHistoryPage(page: 1, payments: []))
            let event = PaymentSucceeded(paymentId: UUID(), userId: alice, billId: bill, amountCents: 100)
            try await cache.publish(event, applyingPlanOf: PaymentCache.self)
            #expect(metrics.counterTotal(label: MetricName.eventsPublished, dimensions: [("event", "payment.succeeded")]) == 1)
            let plan = PaymentCache.plan(for: event)
            let kinds = [("key", plan.keys.count), ("tag", plan.tags.count), ("index", plan.indexes.count), ("pattern", plan.patterns.count)]
            for (kind, parts) in kinds {
                #expect(metrics.counterTotal(label: MetricName.invalidations, dimensions: [("service", "payment"), ("kind", kind)]) == Int64(parts), "\(kind)")
            }
            let removed = metrics.counterTotal(label: MetricName.invalidatedKeys, dimensions: [("service", "payment")])
            #expect(removed >= 2, "the recent entry and the history page")
            #expect(try metrics.expectTimer(MetricName.invalidationDuration, [("service", "payment")]).values.count == 1)
        }
    }

    @Test func errorsAreCountedByKindAndTheBreakerIsAGauge() async throws {
        try await withMeteredCache { cache, metrics, server in
            let key = PaymentCache.recent(userId: alice)
            _ = try await cache.get(key)
            #expect(metrics.counterTotal(label: "cachepolicy_redis_connects_total", dimensions: [("outcome", "ok")]) == 1)
            // A reply of the wrong type.
            try await cache.redis.send(RESPCommand("RPUSH", key.key, "x"))
            await #expect(throws: RedisError.self) { try await cache.get(key) }
            #expect(metrics.counterTotal(label: MetricName.errors, dimensions: [("family", "recent"), ("kind", "redis")]) == 1)
            try await cache.redis.send(RESPCommand("DEL", key.key))
            server.stop()
            for _ in 0..<6 { _ = try await cache.fetch(key) { RecentPayments(payments: []) } }
            #expect(metrics.counterTotal(label: MetricName.errors, dimensions: [("family", "recent"), ("kind", "connection")]) >= 1)
            #expect(requests(metrics, "recent", "fetch", "degraded") == 6)
            #expect(metrics.counterTotal(label: MetricName.breakerTransitions, dimensions: [("to", "open")]) == 1)
            #expect(try metrics.expectGauge(MetricName.breakerState).lastValue == 2)
            #expect(metrics.counterTotal(label: "cachepolicy_redis_connects_total", dimensions: [("outcome", "failed")]) >= 1)
            #expect(cache.statistics(for: "payment").errors >= 7)
        }
    }

    /// Labels hold the policy's names only: never a key or a param value.
    @Test func labelsAreBoundedByThePolicy() async throws {
        try await withMeteredCache { cache, metrics, _ in
            for index in 0..<50 {
                let user = UUID()
                _ = try await cache.fetch(PaymentCache.history(userId: user, page: index)) { PaymentHistoryPage(page: index, payments: []) }
                try await cache.publish(PaymentSucceeded(paymentId: UUID(), userId: user, billId: bill, amountCents: index), applyingPlanOf: PaymentCache.self)
            }
            let names = Set(["payment", "history", "recent", "payment.succeeded", "get", "set", "delete", "fetch", "key", "tag", "index", "pattern",
                             "ok", "failed", "open", "closed"]
                + Outcome.allCases.map(\.rawValue) + ErrorKind.allCases.map(\.rawValue))
            let values = (metrics.counters.flatMap(\.dimensions) + metrics.timers.flatMap(\.dimensions)).map(\.1)
            #expect(!values.isEmpty && values.allSatisfy { names.contains($0) }, "\(Set(values).subtracting(names))")
            #expect(Set(metrics.counters.map(\.label)).count <= 12)
        }
    }

    @Test func statisticsSlideOverTheirWindow() {
        let statistics = ServiceStatistics(window: .seconds(10))
        let second: UInt64 = 1_000_000_000
        statistics.record(.get, .hit, nanoseconds: 300_000, now: 100 * second)
        statistics.record(.get, .miss, nanoseconds: 3_000_000, now: 105 * second)
        statistics.record(.set, .error, nanoseconds: 1_000, now: 109 * second)
        let now = statistics.snapshot(at: 109 * second)
        #expect(now.requests == 3 && now.hits == 1 && now.misses == 1 && now.errors == 1)
        #expect(now.hitRate == 0.5 && now.errorRate == 1.0 / 3)
        #expect(now.latency(quantile: 0.5) == .microseconds(512), "300 µs falls in the bucket under 2^9 µs")
        #expect(now.latency(quantile: 0.99) == .microseconds(4_096))
        #expect(statistics.snapshot(at: 110 * second).requests == 3, "the current second plus ten whole seconds before it")
        let later = statistics.snapshot(at: 111 * second)
        #expect(later.requests == 2 && later.hits == 0, "the first second left the window")
        #expect(statistics.snapshot(at: 200 * second).requests == 0)
    }
}
