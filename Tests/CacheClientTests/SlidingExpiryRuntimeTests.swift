@testable import CacheClient
@_spi(Generated) import CacheRuntime
import Foundation
import RESP
import RedisTestSupport
import TestSupport
import Testing

/// Sliding expiry against a real redis-server: reads renew the TTL; a lifetime caps it.
@Suite("Sliding expiry (real redis-server)", .hangLimit)
struct SlidingExpiryRuntimeTests {
    func family(ttl: Duration, maxAge: Duration? = nil) -> KeyFamilySpec {
        KeyFamilySpec(
            service: "test", name: "session", pattern: "test:session:{id}", ttl: ttl, jitter: 0, codec: .string, compression: .none,
            sliding: true, maxAge: maxAge)
    }

    func pttl(_ key: String, _ cache: CacheClient) async throws -> Int64 {
        try await cache.redis.send(RESPCommand("PTTL", key)).int ?? -3
    }

    // The TTLs are an hour or two and entries are aged to ten minutes by hand: a TTL never grows
    // by itself, so a TTL above the aged one proves a renewal, and a stalled machine (CI once
    // paused this process for 9 s) cannot make a check pass or fail.

    @Test func readsRenewTheTTL() async throws {
        try await withCache { cache, _ in
            let key = CacheKey(key: "test:session:1", family: family(ttl: .seconds(3_600)), codec: .string)
            try await cache.set(key, "alice")
            // Age the entry by hand: a sliding read must bring its TTL back to a full hour.
            _ = try await cache.redis.send(RESPCommand("PEXPIRE", key.key, "600000"))
            #expect(try await pttl(key.key, cache) <= 600_000)
            #expect(try await cache.get(key) == "alice")
            #expect(try await pttl(key.key, cache) > 3_000_000, "the read renewed the TTL")
            // mget renews as well.
            _ = try await cache.redis.send(RESPCommand("PEXPIRE", key.key, "600000"))
            #expect(try await cache.mget([key]) == ["alice"])
            #expect(try await pttl(key.key, cache) > 3_000_000, "the mget renewed the TTL")
            // An idle entry expires as usual.
            _ = try await cache.redis.send(RESPCommand("PEXPIRE", key.key, "1"))
            try await Task.sleep(for: .milliseconds(20))
            #expect(try await cache.get(key) == nil)
        }
    }

    @Test func aLifetimeCapsTheRenewals() async throws {
        try await withCache { cache, _ in
            let key = CacheKey(key: "test:session:2", family: family(ttl: .seconds(3_600), maxAge: .seconds(7_200)), codec: .string)
            try await cache.set(key, "bob")
            let life = KeyFamilySpec.lifetimeKey(key.key)
            #expect(try await pttl(life, cache) > 3_600_000, "the write started the two-hour lifetime")
            // Most of the lifetime is used up (10 minutes left, against an hour's TTL): a read
            // renews only up to what is left.
            _ = try await cache.redis.send(RESPCommand("PEXPIRE", life, "600000"))
            #expect(try await cache.get(key) == "bob")
            let renewed = try await pttl(key.key, cache)
            #expect(renewed > 0 && renewed <= 600_000, "renewed to the lifetime's end, not a full TTL: \(renewed)")
            // The lifetime ends: the next read finds the entry gone and removes it.
            _ = try await cache.redis.send(RESPCommand("PEXPIRE", life, "1"))
            _ = try await cache.redis.send(RESPCommand("PERSIST", key.key))
            try await Task.sleep(for: .milliseconds(20))
            #expect(try await cache.get(key) == nil)
            #expect(try await exists(key.key, cache) == false, "removed by the read")
            // A new write starts a new lifetime.
            try await cache.set(key, "bob again")
            #expect(try await cache.get(key) == "bob again")
        }
    }

    /// Read-through and warmup writes start the lifetime too.
    @Test func fetchAndBatchWritesStartTheLifetime() async throws {
        try await withCache { cache, _ in
            let spec = family(ttl: .seconds(3_600), maxAge: .seconds(7_200))
            let fetched = CacheKey(key: "test:session:3", family: spec, codec: .string)
            #expect(try await cache.fetch(fetched) { "loaded" } == "loaded")
            #expect(try await pttl(KeyFamilySpec.lifetimeKey(fetched.key), cache) > 3_600_000, "the two-hour lifetime, not the one-hour TTL")
            let written = CacheKey(key: "test:session:4", family: spec, codec: .string)
            try await cache.mset([(written, "warm")])
            #expect(try await pttl(KeyFamilySpec.lifetimeKey(written.key), cache) > 3_600_000)
            #expect(try await cache.get(written) == "warm")
        }
    }
}
