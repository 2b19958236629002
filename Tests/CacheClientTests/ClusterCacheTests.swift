@testable import CacheClient
@_spi(Generated) import CacheRuntime
import ExamplePlatform
import Foundation
import RESP
import RedisTestSupport
import Testing

/// `CacheClient` on a real 3-primary cluster through `RedisClusterClient`: the same generated keys
/// and calls as on one server (families with tag or index sets need `slot:`).
@Suite("CacheClient on a Redis Cluster", .serialized, .timeLimit(.minutes(2)))
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
