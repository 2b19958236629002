@testable @_spi(Internals) import CacheClient
@_spi(Generated) import CacheRuntime
import NIOConcurrencyHelpers
import NIOCore
import RESP
import RedisTestSupport
import TestSupport
import Testing

@Suite("Near cache")
struct NearCacheTests {
    /// The O(1) LRU against a plain reference model (an array ordered by recency), over 20,000
    /// random operations: same values, same evictions, same recency order.
    @Test func lruMatchesAReferenceModel() {
        var rng = SeededGenerator(state: 44)
        var lru = LRUCache<Int>(capacity: 16)
        var model: [(key: String, value: Int)] = []  // most recent first
        let now: UInt64 = 1_000
        let later = now + 60_000_000_000
        for step in 0..<20_000 {
            let key = "k\(Int.random(in: 0..<40, using: &rng))"
            switch Int.random(in: 0..<10, using: &rng) {
            case 0..<4:
                let expected = model.firstIndex { $0.key == key }.map { index -> Int in
                    let entry = model.remove(at: index)
                    model.insert(entry, at: 0)
                    return entry.value
                }
                #expect(lru.value(forKey: key, now: now) == expected, "step \(step)")
            case 4..<8:
                model.removeAll { $0.key == key }
                model.insert((key, step), at: 0)
                if model.count > 16 { model.removeLast() }
                lru.set(key, step, expires: later)
            case 8:
                let expected = model.firstIndex { $0.key == key }.map { model.remove(at: $0).value }
                #expect(lru.removeValue(forKey: key) == expected)
            default:
                if step % 97 == 0 {
                    model.removeAll()
                    lru.removeAll()
                }
            }
            #expect(lru.count == model.count)
        }
        #expect(lru.keysByRecency() == model.map(\.key))
    }

    /// Segments have their own capacity and order; a key written to another segment moves.
    @Test func segmentsAreIndependent() {
        var lru = LRUCache<Int>()
        let small = lru.addSegment(capacity: 2), large = lru.addSegment(capacity: 3)
        let later: UInt64 = 60_000_000_000
        for (index, key) in ["a", "b", "c"].enumerated() { lru.set(key, index, expires: later, segment: small) }
        for (index, key) in ["x", "y", "z"].enumerated() { lru.set(key, index, expires: later, segment: large) }
        #expect(lru.keysByRecency(segment: small) == ["c", "b"], "the small segment evicted its own oldest")
        #expect(lru.keysByRecency(segment: large) == ["z", "y", "x"])
        lru.set("x", 9, expires: later, segment: small)
        #expect(lru.keysByRecency(segment: small) == ["x", "c"])
        #expect(lru.keysByRecency(segment: large) == ["z", "y"])
        #expect(lru.entry(forKey: "x", now: 0)?.segment == small)
        lru.removeAll(segment: small)
        #expect(lru.count == 2 && lru.count(segment: small) == 0)
    }

    @Test func expiredEntriesAreNotServed() {
        var lru = LRUCache<String>(capacity: 4)
        let now = MonotonicTime.coarseNanoseconds()
        lru.set("a", "1", expires: now + 10_000_000)
        #expect(lru.value(forKey: "a", now: now) == "1")
        #expect(lru.value(forKey: "a", now: now + 10_000_000) == nil)
        #expect(lru.count == 0, "an expired entry is removed when found")
    }

    /// A read races `delete`: it misses locally after the delete's local removal, and its GET
    /// runs before the UNLINK, so it reads the old value and stores it. The delete must still
    /// leave nothing behind (the first version removed only before the UNLINK, and the old value
    /// stayed in the near cache until its TTL).
    @Test func aReadRacingDeleteCannotPutTheOldValueBack() async throws {
        try await withCache { cache, _ in
            let spec = family("raced", codec: .string, near: 8)
            let key = CacheKey(key: "test:raced:1", family: spec, codec: .string)
            try await cache.set(key, "old")
            cache.nearCache.removeAll()  // the reader has no local copy yet
            let readDuringDelete = NIOLockedValueBox<String??>(nil)
            cache.hooks.beforeRemovalHook.withLockedValue { hook in
                hook = { readDuringDelete.withLockedValue { $0 = .some(nil) }; let value = try? await cache.get(key); readDuringDelete.withLockedValue { $0 = .some(value) } }
            }
            try await cache.delete(key)
            cache.hooks.beforeRemovalHook.withLockedValue { $0 = nil }
            #expect(readDuringDelete.withLockedValue { $0 } == .some("old"), "the interleaving happened: the read saw the old value")
            #expect(cache.nearCache.count(family: spec) == 0)
            #expect(try await cache.get(key) == nil)
        }
    }
}

@Suite("Activity logs")
struct ActivityLogTests {
    /// A reader that does not keep up gets the newest items; the dropped ones are counted.
    @Test func dropsAreCounted() async {
        let log = ActivityLog<Int>(limit: 3)
        for item in 1...5 { log.record(item) }
        log.finish()
        var seen: [Int] = []
        for await item in log.stream { seen.append(item) }
        #expect(seen == [3, 4, 5])
        #expect(log.dropped == 2)
    }
}
