@testable import CacheClient
import CacheRuntime
import ExamplePlatform
import Foundation
import NIOConcurrencyHelpers
import RESP
import RedisTestSupport
import TestSupport
import Testing

/// Delivery through Redis Streams: each event applied once per service, nothing lost when an
/// instance dies or when every instance is down.
@Suite("Event delivery through streams (real redis-server)", .hangLimit)
struct EventDeliveryTests {
    static let fast = InvalidationListener.Settings(
        block: .milliseconds(100), claimAfter: .milliseconds(300),
        reconnectPolicy: ReconnectPolicy(initialDelay: .milliseconds(20), maxDelay: .milliseconds(100)))

    /// Runs a listener, recording every entry it applies, until cancelled.
    final class Instance: Sendable {
        let listener: InvalidationListener
        let applied = NIOLockedValueBox<[String]>([])
        let claimed = NIOLockedValueBox(0)
        let consuming = NIOLockedValueBox(false)
        let task: Task<Void, Never>
        let recorder: Task<Void, Never>

        init(_ cache: CacheClient, _ name: String, settings: InvalidationListener.Settings = EventDeliveryTests.fast) {
            let listener = PaymentCache.listener(cache: cache, instance: name, settings: settings)
            self.listener = listener
            task = Task { await listener.run() }
            let (applied, claimed, consuming) = (applied, claimed, consuming)
            recorder = Task {
                for await item in listener.activity {
                    switch item {
                    case .applied(_, let entry, _): applied.withLockedValue { $0.append(entry) }
                    case .claimed(let count): claimed.withLockedValue { $0 += count }
                    case .consuming: consuming.withLockedValue { $0 = true }
                    default: break
                    }
                }
            }
        }

        func waitUntilConsuming() async throws {
            while !consuming.withLockedValue({ $0 }) { try await Task.sleep(for: .milliseconds(5)) }
        }

        func stop() async {
            task.cancel()
            await task.value
            await recorder.value
        }
    }

    static func pending(_ cache: CacheClient, _ event: String) async throws -> Int {
        let summary = try await cache.redis.send(RESPCommand("XPENDING", EventBus.stream(for: event), "payment"))
        return Int(summary.elements?.first?.int ?? -1)
    }

    static func waitFor(_ condition: () async throws -> Bool) async throws {
        for _ in 0..<1000 {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("gave up waiting")
    }

    @Test func threeInstancesApplyEachEventOnce() async throws {
        try await withCache { cache, _ in
            // Claims only after 30 s: a busy test machine must not turn slow acknowledgements into
            // redeliveries (which at-least-once allows, and the claim test covers).
            let settings = InvalidationListener.Settings(block: .milliseconds(100), claimAfter: .seconds(30), reconnectPolicy: Self.fast.reconnectPolicy)
            let instances = ["a", "b", "c"].map { Instance(cache, $0, settings: settings) }
            for instance in instances { try await instance.waitUntilConsuming() }
            var entries: [String] = []
            for index in 0..<30 {
                let user = UUID()
                try await cache.set(PaymentCache.recent(userId: user), RecentPayments(payments: []))
                entries.append(try await cache.publish(PaymentSucceeded(paymentId: UUID(), userId: user, billId: bill, amountCents: index)).streamEntry)
            }
            try await Self.waitFor { instances.reduce(0) { $0 + $1.applied.withLockedValue(\.count) } >= 30 }
            try await Self.waitFor { try await Self.pending(cache, "payment.succeeded") == 0 }
            for instance in instances { await instance.stop() }
            let applied = instances.flatMap { $0.applied.withLockedValue { $0 } }
            #expect(applied.count == 30, "each event applied once for the service, not once per instance")
            #expect(Set(applied) == Set(entries))
            #expect(try await cache.redis.send(RESPCommand("KEYS", "payment:recent:*")).elements?.isEmpty == true)
        }
    }

    @Test func entriesPendingOnADeadInstanceAreClaimed() async throws {
        try await withCache { cache, _ in
            // An instance that read five entries and died before acknowledging them.
            let stream = EventBus.stream(for: "payment.succeeded")
            _ = try await cache.redis.send(RESPCommand("XGROUP", "CREATE", stream, "payment", "0", "MKSTREAM"))
            let users = (0..<5).map { _ in UUID() }
            for user in users {
                try await cache.set(PaymentCache.recent(userId: user), RecentPayments(payments: []))
                try await cache.publish(PaymentSucceeded(paymentId: UUID(), userId: user, billId: bill, amountCents: 1))
            }
            var read = RESPCommand("XREADGROUP", "GROUP", "payment", "dead")
            read.append(contentsOf: ["COUNT", "10", "STREAMS", stream, ">"])
            #expect(try InvalidationListener.entries(ofRead: try await cache.redis.send(read)).count == 5)
            #expect(try await Self.pending(cache, "payment.succeeded") == 5)

            let survivor = Instance(cache, "survivor")
            try await Self.waitFor { survivor.applied.withLockedValue(\.count) >= 5 }
            try await Self.waitFor { try await Self.pending(cache, "payment.succeeded") == 0 }
            await survivor.stop()
            #expect(survivor.claimed.withLockedValue { $0 } == 5)
            for user in users { #expect(try await cache.get(PaymentCache.recent(userId: user)) == nil) }
        }
    }

    @Test func nothingIsMissedWhileEveryInstanceIsDown() async throws {
        try await withCache { cache, _ in
            let first = Instance(cache, "first")
            try await first.waitUntilConsuming()
            await first.stop()
            // The server drops a closed connection's subscriptions when it reads the close, which
            // can be after stop returns on a loaded machine: wait for that before publishing.
            try await Self.waitFor {
                let reply = try await cache.redis.send(RESPCommand("PUBSUB", "NUMSUB", EventBus.channel(for: "payment.succeeded")))
                return reply.elements?.last?.int == 0
            }
            // Published while no instance runs (pub/sub reaches nobody: near caches are cold anyway).
            let users = (0..<10).map { _ in UUID() }
            for user in users {
                try await cache.set(PaymentCache.recent(userId: user), RecentPayments(payments: []))
                let published = try await cache.publish(PaymentSucceeded(paymentId: UUID(), userId: user, billId: bill, amountCents: 1))
                #expect(published.nearCacheListeners == 0)
            }
            let restarted = Instance(cache, "restarted")
            try await Self.waitFor { restarted.applied.withLockedValue(\.count) >= 10 }
            await restarted.stop()
            #expect(restarted.applied.withLockedValue(\.count) == 10)
            for user in users { #expect(try await cache.get(PaymentCache.recent(userId: user)) == nil) }
        }
    }

    /// Streams stay bounded: `XADD … MAXLEN ~`.
    @Test func streamsAreTrimmed() async throws {
        try await withRedisServer { server in
            let redis = RedisClient(server.configuration)
            let cache = CacheClient(redis: redis, streamMaxLength: 100)
            for _ in 0..<1_000 { try await cache.publish(UserDeleted(id: alice)) }
            let length = try await redis.send(RESPCommand("XLEN", EventBus.stream(for: "user.deleted"))).int ?? 0
            #expect(length >= 100 && length < 300, "trimmed near 100 (approximately, by whole nodes): \(length)")
            await redis.shutdown()
        }
    }
}
