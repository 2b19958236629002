@testable import CacheClient
@_spi(Generated) import CacheRuntime
import ExamplePlatform
import Foundation
import NIOConcurrencyHelpers
import RESP
import RedisTestSupport
import Testing

/// `CacheClient` on a real 3-primary cluster through `RedisClusterClient`: the same generated keys
/// and calls as on one server (families with tag or index sets need `slot:`).
// Topologies take turns (TopologyGate): the limit covers the wait for the others.
@Suite("CacheClient on a Redis Cluster", .serialized, .timeLimit(.minutes(6)))
struct ClusterCacheTests {
    static func provider(_ index: Int) -> Provider { Provider(id: "p\(index)", name: "Provider \(index)") }

    @Test func theExamplePlatformsOperationsRunUnchanged() async throws {
        try await withRedisCluster(primaries: 3) { cluster in
            let redis = RedisClusterClient(seeds: [("127.0.0.1", cluster.nodes[0].port)])
            let cache = CacheClient(redis: redis)
            let keys = (0..<120).map { UtilityCache.provider(providerId: "p\($0)") }
            let slots = Set(keys.map { HashSlot.of($0.key) })
            let map = try await redis.slotMap()
            #expect(Set(slots.compactMap { map.primary(forSlot: $0)?.port }).count == 3, "the keys spread over every primary")

            // set, get, mset, mget
            for (index, key) in keys.prefix(60).enumerated() { try await cache.set(key, Self.provider(index)) }
            try await cache.mset(keys.dropFirst(60).enumerated().map { ($0.element, Self.provider(60 + $0.offset)) })
            let values = try await cache.mget(keys)
            #expect(values.enumerated().allSatisfy { $0.element == Self.provider($0.offset) }, "MGET split per slot, in order")
            #expect(try await cache.get(keys[7]) == Self.provider(7))

            // fetch: a lease and a store-with-lease script on the key's node (the lease shares its slot)
            let fresh = UtilityCache.provider(providerId: "fresh")
            let loaded = try await cache.fetch(fresh) { Self.provider(42) }
            #expect(loaded == Self.provider(42))
            #expect(try await cache.get(fresh) == Self.provider(42), "the loaded value was stored")
            let lease = try await redis.send(RESPCommand("EXISTS", "#lease:{\(fresh.key)}"))
            #expect(lease.int == 0, "the lease was taken and released in the key's slot")

            // delete, invalidation by keys across slots, and a pattern scanned on every primary
            #expect(try await cache.delete(keys[0]))
            #expect(try await !cache.delete(keys[0]))
            let byKeys = try await cache.invalidate(InvalidationPlan(service: "utility", event: "test", keys: keys[1..<11].map(\.key)))
            #expect(byKeys.keys == 10)
            let byPattern = try await cache.invalidate(InvalidationPlan(service: "utility", event: "test", patterns: ["utility:provider:*"]))
            #expect(byPattern.patternMatches == 110, "109 left of the 120 and the fetched one, found on all three primaries")
            #expect(try await cache.mget(keys).allSatisfy { $0 == nil })

            // A family with `slot: userId` (payment.history): its key, tag set and index set carry
            // the user as a hash tag, so the write script, tag and index invalidations stay in one slot.
            let users = (0..<12).map { UUID(uuidString: String(format: "00000000-0000-4000-8000-%012d", $0))! }
            for user in users {
                for page in 0..<3 { try await cache.set(PaymentCache.history(userId: user, page: page), PaymentHistoryPage(page: page, payments: [])) }
            }
            let historySlots = Set(users.map { HashSlot.of(PaymentCache.history(userId: $0, page: 0).key) })
            #expect(Set(historySlots.compactMap { map.primary(forSlot: $0)?.port }).count > 1, "the users' pages spread over primaries")
            #expect(try await cache.get(PaymentCache.history(userId: users[0], page: 2))?.page == 2)
            let byTag = try await cache.invalidate(PaymentCache.Invalidate.userTag(userId: users[0]))
            #expect(byTag.tagMembers == 3)
            let byIndex = try await cache.invalidate(PaymentCache.Invalidate.history(userId: users[1]))
            #expect(byIndex.indexMembers == 3)
            #expect(try await cache.get(PaymentCache.history(userId: users[1], page: 0)) == nil)
            #expect(try await cache.get(PaymentCache.history(userId: users[2], page: 0))?.page == 0, "other users keep theirs")
            #expect(try await cache.delete(PaymentCache.history(userId: users[2], page: 1)), "delete leaves the sets in one script")
            let loadedPage = try await cache.fetch(PaymentCache.history(userId: users[3], page: 9)) { PaymentHistoryPage(page: 9, payments: []) }
            #expect(loadedPage.page == 9)

            // A family without `slot:` whose tag's param is not in its key (billing.status, which
            // CP904 names on a cluster): the cluster refuses its write script, an error, never a
            // partial write.
            let status = BillingCache.status(billId: UUID(), userId: users[0])
            await #expect(throws: RedisError.self) { try await cache.set(status, BillStatus(billId: UUID(), state: .due)) }
            await redis.shutdown()
        }
    }

    /// Events across instances on a cluster: the listener reads each event's stream on the primary
    /// that serves it (one reader per stream), and a tag and an index set of the slotted family
    /// are dropped there.
    @Test func eventsReachTheListenersOfOtherInstances() async throws {
        try await withRedisCluster(primaries: 3) { cluster in
            let producer = CacheClient(redis: RedisClusterClient(seeds: [("127.0.0.1", cluster.nodes[0].port)]))
            let consumer = CacheClient(redis: RedisClusterClient(seeds: [("127.0.0.1", cluster.nodes[1].port)]))
            let listener = PaymentCache.listener(
                cache: consumer, instance: "cluster-a",
                settings: .init(block: .milliseconds(100), reconnectPolicy: ReconnectPolicy(initialDelay: .milliseconds(20), maxDelay: .milliseconds(100))))
            let applied = NIOLockedValueBox<[String]>([])
            let consuming = NIOLockedValueBox(0)
            let run = Task { await listener.run() }
            let record = Task {
                for await item in listener.activity {
                    switch item {
                    case .applied(let event, _, _): applied.withLockedValue { $0.append(event) }
                    case .consuming: consuming.withLockedValue { $0 += 1 }
                    default: break
                    }
                }
            }
            let streams = PaymentCache.policy.reactsTo.map { EventBus.stream(for: $0) }
            #expect(Set(streams.map { HashSlot.of($0) }).count == streams.count, "the streams are in different slots")
            try await EventDeliveryTests.waitFor { consuming.withLockedValue { $0 } == streams.count }

            let (alice, bob) = (UUID(), UUID())
            for page in 0..<2 {
                try await consumer.set(PaymentCache.history(userId: alice, page: page), PaymentHistoryPage(page: page, payments: []))
                try await consumer.set(PaymentCache.history(userId: bob, page: page), PaymentHistoryPage(page: page, payments: []))
            }
            try await consumer.set(PaymentCache.recent(userId: alice), RecentPayments(payments: []))
            try await producer.publish(PaymentSucceeded(paymentId: UUID(), userId: alice, billId: UUID(), amountCents: 1))
            try await producer.publish(PaymentFailed(paymentId: UUID(), userId: bob, billId: UUID(), reason: "declined"))
            try await EventDeliveryTests.waitFor { applied.withLockedValue { $0.count } == 2 }
            #expect(applied.withLockedValue { Set($0) } == ["payment.succeeded", "payment.failed"])
            #expect(try await consumer.get(PaymentCache.recent(userId: alice)) == nil, "by key")
            #expect(try await consumer.get(PaymentCache.history(userId: alice, page: 1)) == nil, "through the index set")
            #expect(try await consumer.get(PaymentCache.history(userId: bob, page: 0)) == nil, "through the tag set")
            run.cancel()
            await run.value
            await record.value
            await (producer.redis as? RedisClusterClient)?.shutdown()
            await (consumer.redis as? RedisClusterClient)?.shutdown()
        }
    }

    /// Near-cache tracking on a cluster: every primary announces writes to its own keys.
    @Test func theNearCacheHearsWritesOnEveryPrimary() async throws {
        try await withRedisCluster(primaries: 3) { cluster in
            let redis = RedisClusterClient(seeds: [("127.0.0.1", cluster.nodes[0].port)])
            let cache = CacheClient(redis: redis)
            let spec = KeyFamilySpec(
                service: "test", name: "near", pattern: "test:near:{id}", ttl: .seconds(60), jitter: 0, codec: .string,
                compression: .none, nearCacheEntries: 100)
            let tracker = cache.nearCacheTracker(families: [spec], reconnectPolicy: ReconnectPolicy(initialDelay: .milliseconds(20), maxDelay: .milliseconds(100)))
            var activity = tracker.activity.makeAsyncIterator()
            let running = Task { await tracker.run() }
            #expect(await activity.next() == .tracking(prefixes: ["test:near:"]))
            let map = try await redis.slotMap()
            let keys = (0..<30).map { CacheKey(key: "test:near:\($0)", family: spec, codec: .string) }
            let owners = Set(keys.compactMap { map.primary(forSlot: HashSlot.of($0.key))?.port })
            #expect(owners.count == 3)
            for key in keys { try await cache.set(key, "old") }
            // Each primary announces the writes to its own keys (with one untracked, this waits
            // until the suite's time limit fails it).
            var announced = Set<String>()
            while !announced.isSuperset(of: keys.map(\.key)), let item = await activity.next() {
                if case .invalidated(let names) = item { announced.formUnion(names) }
            }
            for key in keys { #expect(try await cache.get(key) == "old") }
            // Another client writes every key behind the cache's back, on each key's own primary.
            let other = RedisClusterClient(seeds: [("127.0.0.1", cluster.nodes[2].port)])
            for key in keys { try await other.send(RESPCommand("SET", key.key, "new"), key: key.key) }
            var stale: [String] = []
            for _ in 0..<300 {
                stale = []
                for key in keys where try await cache.get(key) != "new" { stale.append(key.key) }
                if stale.isEmpty { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(stale.isEmpty, "every primary's invalidations reached the near cache: \(stale)")
            running.cancel()
            await running.value
            await other.shutdown()
            await redis.shutdown()
        }
    }


    /// The platform file's cluster topology, resolved and made into a client.
    @Test func anEnvironmentOnAClusterMakesItsCacheClient() async throws {
        try await withRedisCluster(primaries: 3) { cluster in
            let environment = CacheEnvironment(
                name: "local-cluster", topology: .cluster(seeds: cluster.nodes.prefix(2).map { "redis://127.0.0.1:\($0.port)" }), ttlScale: 0.5)
            let resolved = try environment.resolve(service: "utility", processEnvironment: [:])
            let cache = resolved.makeCacheClient()
            #expect(cache.redis.isCluster && cache.ttlScale == 0.5 && cache.replica == nil)
            let keys = (0..<30).map { UtilityCache.provider(providerId: "e\($0)") }
            try await cache.mset(keys.enumerated().map { ($0.element, Self.provider($0.offset)) })
            #expect(try await cache.mget(keys) == (0..<30).map { Self.provider($0) })
            await (cache.redis as? RedisClusterClient)?.shutdown()
        }
    }

    @Test func commandsAreRoutedByTheirKey() {
        #expect(RESPCommand("GET", "a").routingKey == "a")
        var eval = RESPCommand("EVALSHA", "sha", "2")
        eval.append(contentsOf: ["k1", "k2", "arg"])
        #expect(eval.routingKey == "k1")
        #expect(RESPCommand("EVALSHA", "sha", "0").routingKey == nil)
        var read = RESPCommand("XREADGROUP", "GROUP", "g")
        read.append(contentsOf: ["c", "COUNT", "10", "STREAMS", "s1", "s2", ">", ">"])
        #expect(read.routingKey == "s1")
        #expect(RESPCommand("SCRIPT", "LOAD", "return 1").routingKey == nil)
        #expect(RESPCommand("PING").routingKey == nil)
        #expect(RESPCommand("MEMORY", "USAGE", "k").routingKey == "k")
        var long = RESPCommand("SET", "key-with-é", "v")
        long.append(contentsOf: ["PX", "100"])
        #expect(long.routingKey == "key-with-é" && long.argumentStrings() == ["key-with-é", "v", "PX", "100"])
    }

    @Test func sideKeysShareTheirEntrysSlotOnACluster() {
        // Generated keys never hold a `}` outside a hash tag (KeyEncoder renders no brace), the one
        // case braces cannot keep in one slot.
        for key in ["payment:recent:abc", "a", "x:{user}:1", "a{b", "utility:provider:p%7Bx"] {
            let lease = CacheClient.sideKey("#lease:", key, cluster: true)
            #expect(HashSlot.of(lease) == HashSlot.of(key), "\(lease)")
        }
        #expect(CacheClient.sideKey("#lease:", "payment:recent:abc", cluster: false) == "#lease:payment:recent:abc", "one server keeps the old form")
    }
}
