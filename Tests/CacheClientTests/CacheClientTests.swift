@testable @_spi(Internals) import CacheClient
@_spi(Generated) import CacheRuntime
import ExamplePlatform
import Foundation
import NIOCore
import RESP
import RedisTestSupport
import TestSupport
import Testing

let alice = UUID(uuidString: "3F2B8C1E-9A4D-4E2B-8F1A-0C6D5E4B3A21")!
let bob = UUID(uuidString: "00000000-0000-4000-8000-0000000000B0")!
let bill = UUID(uuidString: "00000000-0000-4000-8000-0000000000B1")!

/// A family defined in the test (the example platform has no int or bytes family).
func family(_ name: String, codec: CodecKind, compression: CompressionPolicy = .none, near: Int? = nil) -> KeyFamilySpec {
    KeyFamilySpec(
        service: "test", name: name, pattern: "test:\(name):{id}", ttl: .seconds(60), jitter: 0, codec: codec,
        compression: compression, nearCacheEntries: near)
}

func withCache<T>(_ body: (CacheClient, RedisServer) async throws -> T) async throws -> T {
    try await withRedisServer { server in
        let redis = RedisClient(server.configuration)
        let cache = CacheClient(redis: redis)
        defer { Task { await redis.shutdown() } }
        return try await body(cache, server)
    }
}

/// How many times the server ran `command` (from `INFO commandstats`).
func commandCount(_ command: String, _ cache: CacheClient) async throws -> Int {
    let info = try await cache.redis.send(RESPCommand("INFO", "commandstats")).string ?? ""
    guard let line = info.split(whereSeparator: \.isNewline).first(where: { $0.hasPrefix("cmdstat_\(command):calls=") }) else { return 0 }
    return Int(line.dropFirst("cmdstat_\(command):calls=".count).prefix { $0.isNumber }) ?? 0
}

func exists(_ key: String, _ cache: CacheClient) async throws -> Bool {
    try await cache.redis.send(RESPCommand("EXISTS", key)).int == 1
}

@Suite("Cache client (real redis-server)", .hangLimit)
struct CacheClientTests {
    @Test func everyCodecRoundTrips() async throws {
        try await withCache { cache, _ in
            let history = PaymentCache.history(userId: alice, page: 1)
            let page = PaymentHistoryPage(page: 1, payments: (0..<50).map { Payment(id: UUID(), billId: bill, amountCents: $0, paidAt: Date(timeIntervalSince1970: 1_700_000_000)) })
            try await cache.set(history, page)
            #expect(try await cache.get(history) == page)
            let raw = try await cache.redis.send(RESPCommand("GET", history.key))
            guard case .bulkString(let stored) = raw else {
                Issue.record("GET of a stored value replied \(raw.kindDescription)")
                return
            }
            #expect(stored.getInteger(at: stored.readerIndex, as: UInt8.self) == 1, "compressed over 1KB")

            let template = NotificationCache.template(templateId: "welcome", channel: .email)
            try await cache.set(template, "Hello, {{name}} ✓")
            #expect(try await cache.get(template) == "Hello, {{name}} ✓")

            let counter = CacheKey(key: "test:counter:1", family: family("counter", codec: .int), codec: .int)
            try await cache.set(counter, 41)
            _ = try await cache.redis.send(RESPCommand("INCRBY", counter.key, "1"))
            #expect(try await cache.get(counter) == 42, "int values are INCRBY-compatible")

            let blob = CacheKey(key: "test:blob:1", family: family("blob", codec: .bytes, compression: .over(bytes: 64)), codec: .bytes)
            let bytes: Bytes = (0..<300).map { UInt8($0 % 256) }
            try await cache.set(blob, bytes)
            #expect(try await cache.get(blob) == bytes)
            #expect(try await cache.get(PaymentCache.recent(userId: bob)) == nil)
        }
    }

    /// A reply of the wrong type to GET (here a real server whose GET is INCR) is an error and
    /// counted, never read as a miss.
    @Test func wrongReplyTypesAreErrorsNotMisses() async throws {
        try await withRedisServer(["--rename-command", "GET", "ORIGINALGET", "--rename-command", "INCR", "GET"]) { server in
            let redis = RedisClient(server.configuration)
            let cache = CacheClient(redis: redis)
            let key = PaymentCache.recent(userId: alice)
            await #expect(throws: RedisError.self) { try await cache.get(key) }
            #expect(cache.unexpectedReplies == 1)
            await redis.shutdown()
        }
    }

    @Test func ttlsCarryJitterWithinThePolicyBounds() async throws {
        try await withCache { cache, _ in
            var ttls: [Int64] = []
            for index in 0..<40 {
                let key = PaymentCache.history(userId: UUID(), page: index)
                try await cache.set(key, PaymentHistoryPage(page: index, payments: []))
                ttls.append(try await cache.redis.send(RESPCommand("PTTL", key.key)).int ?? -1)
            }
            let bounds = PaymentCache.Families.history.ttlRange
            #expect(ttls.allSatisfy { $0 > bounds.lowerBound - 2_000 && $0 <= bounds.upperBound })
            #expect(Set(ttls.map { $0 / 1000 }).count > 5, "jittered, not all equal")
        }
    }

    @Test func mgetAndMset() async throws {
        try await withCache { cache, _ in
            let keys = (0..<20).map { PaymentCache.recent(userId: UUID(uuidString: String(format: "00000000-0000-4000-8000-%012d", $0))!) }
            try await cache.mset(keys.enumerated().filter { $0.offset % 2 == 0 }.map { ($0.element, RecentPayments(payments: [])) })
            let values = try await cache.mget(keys)
            #expect(values.enumerated().allSatisfy { ($0.offset % 2 == 0) == ($0.element != nil) })
            #expect(try await cache.delete(keys[0]))
            #expect(try await !cache.delete(keys[1]))
        }
    }

    @Test func taggedWritesJoinTagSetsThatOutliveThem() async throws {
        try await withCache { cache, _ in
            let session = UserCache.session(sessionId: bill, userId: alice)
            try await cache.set(session, Session(id: bill, userId: alice, device: "phone", expiresAt: Date()))
            let tag = session.tags[0]
            #expect(try await cache.redis.send(RESPCommand("SISMEMBER", tag, session.key)).int == 1)
            // Both TTLs in one pipeline, so no time passes between the two reads.
            let ttls = try await cache.redis.pipeline([RESPCommand("PTTL", session.key), RESPCommand("PTTL", tag)])
            #expect((ttls[1].int ?? 0) >= (ttls[0].int ?? 0) - 2)
            // A longer-lived member raises the set's TTL; a shorter one never lowers it.
            let profile = UserCache.profile(userId: alice)
            try await cache.set(profile, UserProfile(id: alice, displayName: "Alice", email: "a@example.com"))
            #expect(try await cache.redis.send(RESPCommand("PTTL", tag)).int ?? 0 > 3_000_000)
            try await cache.set(session, Session(id: bill, userId: alice, device: "phone", expiresAt: Date()))
            #expect(try await cache.redis.send(RESPCommand("PTTL", tag)).int ?? 0 > 3_000_000)
        }
    }
}

@Suite("Invalidation plans against real Redis", .hangLimit)
struct InvalidationTests {
    @Test func paymentSucceededRemovesExactlyTheRightKeys() async throws {
        try await withCache { cache, _ in
            let payments = RecentPayments(payments: [])
            // Seed Alice's and Bob's entries in every service that reacts, plus unrelated keys.
            for user in [alice, bob] {
                try await cache.set(PaymentCache.recent(userId: user), payments)
                for page in 0..<3 { try await cache.set(PaymentCache.history(userId: user, page: page), PaymentHistoryPage(page: page, payments: [])) }
                try await cache.set(BillingCache.userBills(userId: user), UserBills(open: [], recent: []))
                try await cache.set(AnalyticsCache.dashboard(userId: user), Dashboard(spentThisMonthCents: 1, dueBills: 0))
            }
            try await cache.set(BillingCache.status(billId: bill, userId: alice), BillStatus(billId: bill, state: .due))
            for period in AnalyticsCache.Period.allCases { try await cache.set(AnalyticsCache.revenue(period: period), RevenueReport(totalCents: 1)) }
            try await cache.set(AnalyticsCache.growth(period: .day), GrowthReport(newUsers: 1, activeUsers: 2))
            _ = try await cache.redis.send(RESPCommand("SET", "unrelated:payment:history:x", "1"))

            let event = PaymentSucceeded(paymentId: UUID(), userId: alice, billId: bill, amountCents: 100)
            let payment = try await cache.invalidate(PaymentCache.plan(for: event))
            #expect(payment == InvalidationResult(keys: 1, tagMembers: 0, indexMembers: 3))
            let billing = try await cache.invalidate(BillingCache.plan(for: event))
            #expect(billing.keys == 2)
            let analytics = try await cache.invalidate(AnalyticsCache.plan(for: event))
            #expect(analytics == InvalidationResult(keys: 1, tagMembers: 0, indexMembers: 4))

            #expect(try await cache.get(PaymentCache.recent(userId: alice)) == nil)
            #expect(try await cache.get(PaymentCache.history(userId: alice, page: 2)) == nil)
            #expect(try await cache.get(BillingCache.status(billId: bill)) == nil)
            // Bob's entries and unrelated keys survive.
            #expect(try await cache.get(PaymentCache.recent(userId: bob)) != nil)
            #expect(try await cache.get(PaymentCache.history(userId: bob, page: 1)) != nil)
            #expect(try await cache.get(BillingCache.userBills(userId: bob)) != nil)
            #expect(try await cache.get(AnalyticsCache.dashboard(userId: bob)) != nil)
            #expect(try await cache.get(AnalyticsCache.growth(period: .day)) != nil)
            #expect(try await exists("unrelated:payment:history:x", cache))
            #expect(try await commandCount("scan", cache) == 0, "pattern invalidations ran through index sets, not SCAN")
        }
    }

    /// Index sets: joined atomically with every write (and every read-through lease), expiring
    /// no earlier than their members, and left by a member as it is deleted.
    @Test func indexSetsFollowTheirMembers() async throws {
        try await withCache { cache, _ in
            let index = "#idx:payment:payment:history:{\(KeyEncoder.uuid(alice))}:*"
            let pages = (0..<3).map { PaymentCache.history(userId: alice, page: $0) }
            for key in pages { try await cache.set(key, PaymentHistoryPage(page: 0, payments: [])) }
            let members = try await cache.redis.send(RESPCommand("SMEMBERS", index)).elements?.compactMap(\.string) ?? []
            #expect(Set(members) == Set(pages.map(\.key)))
            let setTTL = try await cache.redis.send(RESPCommand("PTTL", index)).int ?? -1
            for key in pages { #expect(try await cache.redis.send(RESPCommand("PTTL", key.key)).int ?? .max <= setTTL) }
            // A deleted entry leaves its index set (and its tag set) in the same script.
            try await cache.delete(pages[0])
            let after = try await cache.redis.send(RESPCommand("SMEMBERS", index)).elements?.compactMap(\.string) ?? []
            #expect(Set(after) == Set(pages.dropFirst().map(\.key)))
            #expect(try await cache.redis.send(RESPCommand("SISMEMBER", "#tag:payment:user:{\(KeyEncoder.uuid(alice))}", pages[0].key)).int == 0)
            // A plan that removes a key by name takes it out of its index sets too.
            let plan = InvalidationPlan(service: "payment", event: "test", keys: [pages[1].key], keyIndexes: [[index]])
            #expect(try await cache.invalidate(plan).keys == 1)
            #expect(try await cache.redis.send(RESPCommand("SMEMBERS", index)).elements?.compactMap(\.string) == [pages[2].key])
            // A read-through load joins the index set before it stores, so a pattern invalidation
            // during the load revokes its lease: the loaded (stale) value is not stored.
            let loading = PaymentCache.history(userId: alice, page: 9)
            let value = try await cache.fetch(loading) {
                #expect(try await cache.redis.send(RESPCommand("SISMEMBER", index, loading.key)).int == 1)
                _ = try await cache.invalidate(PaymentCache.plan(for: PaymentSucceeded(paymentId: UUID(), userId: alice, billId: bill, amountCents: 1)))
                return PaymentHistoryPage(page: 9, payments: [])
            }
            #expect(value.page == 9)
            #expect(try await exists(loading.key, cache) == false, "the load lost its lease to the invalidation")
            #expect(try await exists(index, cache) == false, "the invalidation dropped the set")
        }
    }

    @Test func tagInvalidationRemovesMembersAndTheSetInOneCall() async throws {
        try await withCache { cache, _ in
            try await cache.set(UserCache.profile(userId: alice), UserProfile(id: alice, displayName: "A", email: "a@x"))
            try await cache.set(UserCache.session(sessionId: bill, userId: alice), Session(id: bill, userId: alice, device: "d", expiresAt: Date()))
            try await cache.set(UserCache.profile(userId: bob), UserProfile(id: bob, displayName: "B", email: "b@x"))
            let plan = UserCache.plan(for: UserDeleted(id: alice))
            let result = try await cache.invalidate(plan)
            #expect(result.tagMembers == 2)
            #expect(try await !exists(plan.tags[0], cache), "the tag set itself is gone")
            #expect(try await cache.get(UserCache.session(sessionId: bill)) == nil)
            #expect(try await cache.get(UserCache.profile(userId: bob)) != nil)
        }
    }

    @Test func hostileValuesNeverWidenAPatternInvalidation() async throws {
        try await withCache { cache, _ in
            let hostile = ["*", "?", "[a-z]", "\\", ":", "a:*", "", "日本", "%2A", "x*y", "{tag}", "#"]
            let spec = family("item", codec: .string)
            for value in hostile {
                for page in 0..<2 {
                    let key = CacheKey(key: "test:item:\(KeyEncoder.string(value)):\(page)", family: spec, codec: .string)
                    try await cache.set(key, value)
                }
            }
            for (index, value) in hostile.enumerated() {
                let plan = InvalidationPlan(service: "test", event: "item.changed", patterns: ["test:item:\(KeyEncoder.string(value)):*"])
                let result = try await cache.invalidate(plan)
                #expect(result.patternMatches == 2, "'\(value)' matched \(result.patternMatches) keys")
                let remaining = try await cache.redis.send(RESPCommand("DBSIZE")).int ?? 0
                #expect(remaining == Int64((hostile.count - index - 1) * 2))
            }
        }
    }
}

@Suite("Read-through (real redis-server)", .hangLimit)
struct FetchTests {
    actor Counter {
        var calls = 0
        func increment() -> Int {
            calls += 1
            return calls
        }
    }

    @Test func concurrentMissesRunTheLoaderOnce() async throws {
        try await withCache { cache, _ in
            let counter = Counter()
            let key = PaymentCache.recent(userId: alice)
            try await withThrowingTaskGroup(of: RecentPayments.self) { group in
                for _ in 0..<100 {
                    group.addTask {
                        try await cache.fetch(key) {
                            _ = await counter.increment()
                            try await Task.sleep(for: .milliseconds(100))
                            return RecentPayments(payments: [])
                        }
                    }
                }
                for try await value in group { #expect(value == RecentPayments(payments: [])) }
            }
            #expect(await counter.calls == 1)
            #expect(try await cache.get(key) != nil, "the loaded value is cached")
        }
    }

    /// Lets a test run code while a loader is in the middle of its load.
    final class Gate: Sendable {
        let started: AsyncStream<Void>
        let startedSink: AsyncStream<Void>.Continuation
        let release: AsyncStream<Void>
        let releaseSink: AsyncStream<Void>.Continuation

        init() {
            (started, startedSink) = AsyncStream.makeStream()
            (release, releaseSink) = AsyncStream.makeStream()
        }

        /// Called by the loader: announce the load, then wait to be released.
        func pause() async {
            startedSink.yield()
            var iterator = release.makeAsyncIterator()
            _ = await iterator.next()
        }

        func waitUntilLoading() async {
            var iterator = started.makeAsyncIterator()
            _ = await iterator.next()
        }

        func open() { releaseSink.yield() }
    }

    /// A cancelled `fetch` returns at once while the shared load goes on for the other callers
    /// (the first version waited for the loader whatever happened).
    @Test func aCancelledFetchStopsWaitingAndTheLoadGoesOn() async throws {
        try await withCache { cache, _ in
            let key = PaymentCache.recent(userId: alice)
            let gate = Gate()
            let loader: @Sendable () async throws -> RecentPayments = {
                await gate.pause()
                return RecentPayments(payments: [])
            }
            let first = Task { try await cache.fetch(key, loader: loader) }
            await gate.waitUntilLoading()
            let second = Task { try await cache.fetch(key, loader: loader) }
            first.cancel()
            second.cancel()
            await #expect(throws: CancellationError.self) { try await first.value }
            await #expect(throws: CancellationError.self) { try await second.value }
            gate.open()
            // The load finishes and stores its value although every caller left.
            var stored: RecentPayments?
            for _ in 0..<200 where stored == nil {
                stored = try await cache.get(key)
                if stored == nil { try await Task.sleep(for: .milliseconds(5)) }
            }
            #expect(stored == RecentPayments(payments: []))
        }
    }

    @Test func invalidationDuringASlowLoadLeavesNoStaleValue() async throws {
        try await withCache { cache, _ in
            let key = PaymentCache.recent(userId: alice)
            let gate = Gate()
            let loading = Task {
                try await cache.fetch(key) {
                    await gate.pause()
                    return RecentPayments(payments: [Payment(id: bill, billId: bill, amountCents: 1, paidAt: Date())])
                }
            }
            // The loader runs after the lease is taken; invalidate while it is loading.
            await gate.waitUntilLoading()
            let event = PaymentSucceeded(paymentId: UUID(), userId: alice, billId: bill, amountCents: 1)
            try await cache.invalidate(PaymentCache.plan(for: event))
            gate.open()
            let loaded = try await loading.value
            #expect(loaded.payments.count == 1, "the caller still gets its value")
            #expect(try await cache.get(key) == nil, "but the stale value was not stored")

            // Tags revoke leases too: a session load interrupted by the user's tag invalidation.
            let session = UserCache.session(sessionId: bill, userId: alice)
            let sessionGate = Gate()
            let sessionLoad = Task {
                try await cache.fetch(session) {
                    await sessionGate.pause()
                    return Session(id: bill, userId: alice, device: "old", expiresAt: Date())
                }
            }
            await sessionGate.waitUntilLoading()
            try await cache.invalidate(UserCache.plan(for: UserSuspended(userId: alice, reason: "fraud")))
            sessionGate.open()
            _ = try await sessionLoad.value
            #expect(try await cache.get(session) == nil)

            // Without an invalidation, the load is stored.
            _ = try await cache.fetch(key) { RecentPayments(payments: []) }
            #expect(try await cache.get(key) == RecentPayments(payments: []))
        }
    }
}

@Suite("Near cache and distributed invalidation", .hangLimit)
struct DistributedTests {
    @Test func nearCacheServesReadsAndDropsOnInvalidation() async throws {
        try await withCache { cache, _ in
            let spec = family("near", codec: .string, near: 2)
            let keys = (0..<3).map { CacheKey(key: "test:near:\($0)", family: spec, codec: .string) }
            for key in keys { try await cache.set(key, "v\(key.key.last!)") }
            // Delete behind the near cache's back: the newest two are still served locally.
            _ = try await cache.redis.send(RESPCommand("DEL", keys[1].key, keys[2].key, keys[0].key))
            #expect(try await cache.get(keys[2]) == "v2")
            #expect(try await cache.get(keys[1]) == "v1")
            #expect(try await cache.get(keys[0]) == nil, "bounded: the oldest entry was evicted")
            try await cache.invalidate(InvalidationPlan(service: "test", event: "x", keys: [keys[2].key]))
            #expect(try await cache.get(keys[2]) == nil)
            try await cache.invalidate(InvalidationPlan(service: "test", event: "x", patterns: ["test:near:*"]))
            #expect(try await cache.get(keys[1]) == nil)
        }
    }

    /// With a tracker, Redis itself announces writes to near-cached keys, whoever makes them: a
    /// write from another client, a `FLUSHALL` and a restart all leave no stale local copy.
    @Test func trackedNearCacheFollowsWritesFromAnyClient() async throws {
        try await withCache { cache, server in
            let spec = family("tracked", codec: .string, near: 10)
            let key = CacheKey(key: "test:tracked:1", family: spec, codec: .string)
            let tracker = cache.nearCacheTracker(
                families: [spec, family("plain", codec: .string)],
                reconnectPolicy: ReconnectPolicy(initialDelay: .milliseconds(50), maxDelay: .milliseconds(200)))
            #expect(tracker.families == [spec], "only families with a near cache are watched")
            var activity = tracker.activity.makeAsyncIterator()
            let running = Task { await tracker.run() }
            defer { running.cancel() }
            #expect(await activity.next() == .tracking(prefixes: ["test:tracked:"]))

            /// Writes `value` through the cache and reads it back into the near cache once Redis
            /// has announced the write (the tracker also hears about this client's own writes).
            func cacheLocally(_ value: String) async throws {
                try await cache.set(key, value)
                var announced = false
                while !announced, let item = await activity.next() { announced = item == .invalidated(keys: [key.key]) }
                #expect(try await cache.get(key) == value)
            }

            // Another client writes behind the cache's back: the local copy goes.
            try await cacheLocally("one")
            let other = try await RedisConnection.connect(server.configuration)
            try await other.send(RESPCommand("SET", key.key, "two"))
            var seen: String?
            for _ in 0..<200 where seen != "two" {
                seen = try await cache.get(key)
                if seen != "two" { try await Task.sleep(for: .milliseconds(10)) }
            }
            #expect(seen == "two", "a value another client wrote replaces the local copy")

            // FLUSHALL: Redis asks to drop everything.
            try await cacheLocally("three")
            try await other.send(RESPCommand("FLUSHALL"))
            var flushed = false
            while !flushed, let item = await activity.next() { flushed = item == .flushed }
            #expect(try await cache.get(key) == nil)
            await other.close()

            // A restart loses the value; tracking comes back by itself and the copy taken before
            // the restart is not served.
            try await cacheLocally("four")
            try await server.restart()
            var back = false
            while !back, let item = await activity.next() { if case .tracking = item { back = true } }
            #expect(back)
            var after: String?? = .some("unread")
            for _ in 0..<50 where after != .some(nil) {
                after = try? await cache.get(key)
                if after != .some(nil) { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(after == .some(nil), "the restarted server has no value, and no local copy is served")

            // Cancelling the tracker ends it promptly; the watched families stop being served locally.
            let cancelled = ContinuousClock.now
            running.cancel()
            await running.value
            #expect(ContinuousClock.now - cancelled < .seconds(60), "promptly, not hanging")
            try await cache.set(key, "five")
            try await cache.redis.send(RESPCommand("DEL", key.key))  // behind the near cache
            #expect(try await cache.get(key) == nil, "without tracking, no local copy is served")
        }
    }

    /// A read that raced an invalidation does not store its (possibly older) reply; tracked
    /// families are served only while tracking is up.
    @Test func nearCacheGenerationsAndTracking() {
        let near = NearCache()
        let spec = family("gen", codec: .string, near: 4)
        let value = ByteBuffer(string: "v")
        let before = near.generation
        near.remove("test:gen:other")
        near.put("test:gen:1", value, family: spec, ifGeneration: before)
        #expect(near.get("test:gen:1", family: spec) == nil, "an invalidation came in since the read started")
        near.put("test:gen:1", value, family: spec, ifGeneration: near.generation)
        #expect(near.get("test:gen:1", family: spec) == value)

        near.track([spec])
        #expect(near.get("test:gen:1", family: spec) == nil, "tracking is not up yet")
        near.put("test:gen:1", value, family: spec, ifGeneration: near.generation)
        #expect(near.get("test:gen:1", family: spec) == nil)
        near.setTrackingActive(true)
        near.put("test:gen:1", value, family: spec, ifGeneration: near.generation)
        #expect(near.get("test:gen:1", family: spec) == value)
        near.setTrackingActive(false)
        near.setTrackingActive(true)
        #expect(near.get("test:gen:1", family: spec) == nil, "entries from before a reconnect are gone")
    }

    @Test func trackedPrefixesDoNotOverlap() {
        func spec(_ pattern: String) -> KeyFamilySpec {
            KeyFamilySpec(service: "s", name: pattern, pattern: pattern, ttl: .seconds(1), jitter: 0, codec: .string, compression: .none, nearCacheEntries: 1)
        }
        let cache = CacheClient(redis: RedisClient(RedisConfiguration()))
        #expect(cache.nearCacheTracker(families: [spec("a:b:{x}"), spec("a:{x}"), spec("c:{x}:d")]).prefixes == ["a:", "c:"])
        #expect(cache.nearCacheTracker(families: [spec("a:{x}"), spec("{x}:b")]).prefixes == [], "a leading hole needs every key")
    }

    @Test func publishedEventsAreAppliedByListenersAndSurviveARestart() async throws {
        try await withCache { cache, server in
            let listener = InvalidationListener(
                configuration: server.configuration, cache: cache, service: "payment", events: PaymentCache.policy.reactsTo,
                planner: PaymentCache.plan(forEvent:payload:),
                settings: .init(block: .milliseconds(200), reconnectPolicy: ReconnectPolicy(initialDelay: .milliseconds(50), maxDelay: .milliseconds(200))))
            let running = Task { await listener.run() }
            defer { running.cancel() }
            var activity = listener.activity.makeAsyncIterator()
            func next(_ matching: (InvalidationListener.Activity) -> Bool) async -> InvalidationListener.Activity? {
                while let item = await activity.next() { if matching(item) { return item } }
                return nil
            }
            func isSubscribed(_ item: InvalidationListener.Activity) -> Bool { if case .subscribed(3) = item { true } else { false } }
            func isConsuming(_ item: InvalidationListener.Activity) -> Bool { if case .consuming(3) = item { true } else { false } }
            func isApplied(_ item: InvalidationListener.Activity) -> Bool { if case .applied = item { true } else { false } }

            #expect(await next(isConsuming) != nil)
            try await cache.set(PaymentCache.recent(userId: alice), RecentPayments(payments: []))
            try await cache.publish(PaymentSucceeded(paymentId: UUID(), userId: alice, billId: bill, amountCents: 5))
            guard case .applied(let event, _, let result)? = await next(isApplied) else {
                Issue.record("the listener never applied payment.succeeded")
                return
            }
            #expect(event == "payment.succeeded" && result.keys == 1)
            #expect(try await cache.get(PaymentCache.recent(userId: alice)) == nil)

            // The server restarts and loses its data (streams and groups): the listener reconnects,
            // creates its groups again, and applies an event published meanwhile.
            try await server.restart()
            var published: Published?
            for _ in 0..<50 where published == nil {
                published = try? await cache.publish(UserDeleted(id: bob))
                if published == nil { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(published != nil)
            guard case .applied(let deleted, _, _)? = await next(isApplied) else {
                Issue.record("the listener never applied user.deleted after the restart")
                return
            }
            #expect(deleted == "user.deleted")
        }
    }

    /// The one-line listener from the generated namespace, and a publish that has applied this
    /// service's own plan when it returns (read-your-writes for the publisher).
    @Test func listenerFromTheNamespaceAndPublishApplyingTheOwnPlan() async throws {
        try await withCache { cache, _ in
            let listener = PaymentCache.listener(cache: cache)
            #expect(listener.events == PaymentCache.policy.reactsTo)
            let running = Task { await listener.run() }
            defer { running.cancel() }
            var activity = listener.activity.makeAsyncIterator()
            var ready = (subscribed: false, consuming: false)
            while !(ready.subscribed && ready.consuming), let item = await activity.next() {
                if case .subscribed(3) = item { ready.subscribed = true }
                if case .consuming(3) = item { ready.consuming = true }
            }

            try await cache.set(PaymentCache.recent(userId: alice), RecentPayments(payments: []))
            let (applied, published) = try await cache.publish(
                PaymentSucceeded(paymentId: UUID(), userId: alice, billId: bill, amountCents: 5), applyingPlanOf: PaymentCache.self)
            #expect(applied?.keys == 1, "the publisher's own plan ran before publish returned")
            #expect(published.nearCacheListeners == 1)
            #expect(try await cache.get(PaymentCache.recent(userId: alice)) == nil, "read-your-writes, without waiting for the listener")
            // An event the service does not react to publishes without a local plan.
            let (none, _) = try await cache.publish(BillPaid(billId: bill, userId: alice), applyingPlanOf: PaymentCache.self)
            #expect(none == nil)
        }
    }

    /// Typed direct invalidations: a tag or an index set, named by the generated builders.
    @Test func directInvalidationsByTagAndIndex() async throws {
        try await withCache { cache, _ in
            for page in 0..<3 {
                try await cache.set(PaymentCache.history(userId: alice, page: page), PaymentHistoryPage(page: page, payments: []))
                try await cache.set(PaymentCache.history(userId: bob, page: page), PaymentHistoryPage(page: page, payments: []))
            }
            let byIndex = try await cache.invalidate(PaymentCache.Invalidate.history(userId: alice))
            #expect(byIndex.indexMembers == 3)
            #expect(try await cache.get(PaymentCache.history(userId: alice, page: 1)) == nil)
            #expect(try await cache.get(PaymentCache.history(userId: bob, page: 1)) != nil)
            let byTag = try await cache.invalidate(PaymentCache.Invalidate.userTag(userId: bob))
            #expect(byTag.tagMembers == 3)
            #expect(try await cache.get(PaymentCache.history(userId: bob, page: 1)) == nil)
        }
    }

    @Test func messageFormatIsVersioned() throws {
        let message = try EventBus.message(UserDeleted(id: alice))
        #expect(message.hasPrefix("{\"event\":\"user.deleted\",\"producer\":\"user\",\"v\":1,\"payload\":{"))
        let parsed = try #require(EventBus.parse(message))
        #expect(parsed.event == "user.deleted")
        #expect(try JSONDecoder().decode(UserDeleted.self, from: parsed.payload) == UserDeleted(id: alice))
        #expect(EventBus.parse("{\"v\":2,\"event\":\"x\",\"payload\":{}}") == nil)
        #expect(EventBus.channel(for: "user.deleted") == "cachepolicy:v1:event:user.deleted")
    }
}
