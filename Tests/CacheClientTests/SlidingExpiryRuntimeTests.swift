@testable import CacheClient
@_spi(Generated) import CacheRuntime
import Foundation
import RESP
import RedisTestSupport
import Testing

/// Sliding expiry against a real redis-server: reads renew the TTL; a lifetime caps it.
@Suite("Sliding expiry (real redis-server)", .timeLimit(.minutes(1)))
struct SlidingExpiryRuntimeTests {
    func family(ttl: Duration, maxAge: Duration? = nil) -> KeyFamilySpec {
        KeyFamilySpec(
            service: "test", name: "session", pattern: "test:session:{id}", ttl: ttl, jitter: 0, codec: .string, compression: .none,
            sliding: true, maxAge: maxAge)
    }

    func pttl(_ key: String, _ cache: CacheClient) async throws -> Int64 {
        try await cache.redis.send(RESPCommand("PTTL", key)).int ?? -3
    }

    @Test func readsRenewTheTTL() async throws {
        try await withCache { cache, _ in
            let key = CacheKey(key: "test:session:1", family: family(ttl: .seconds(60)), codec: .string)
            try await cache.set(key, "alice")
            // Age the entry by hand: a sliding read must bring its TTL back to a full minute.
            _ = try await cache.redis.send(RESPCommand("PEXPIRE", key.key, "5000"))
            #expect(try await pttl(key.key, cache) <= 5_000)
            #expect(try await cache.get(key) == "alice")
            #expect(try await pttl(key.key, cache) > 55_000, "the read renewed the TTL")
            // mget renews as well.
            _ = try await cache.redis.send(RESPCommand("PEXPIRE", key.key, "5000"))
            #expect(try await cache.mget([key]) == ["alice"])
            #expect(try await pttl(key.key, cache) > 55_000)
            // An idle entry expires as usual.
            _ = try await cache.redis.send(RESPCommand("PEXPIRE", key.key, "1"))
            try await Task.sleep(for: .milliseconds(20))
            #expect(try await cache.get(key) == nil)
        }
    }

    @Test func aLifetimeCapsTheRenewals() async throws {
        try await withCache { cache, _ in
            let key = CacheKey(key: "test:session:2", family: family(ttl: .seconds(60), maxAge: .seconds(120)), codec: .string)
            try await cache.set(key, "bob")
            let life = KeyFamilySpec.lifetimeKey(key.key)
            #expect(try await pttl(life, cache) > 115_000, "the write started the lifetime")
            // Most of the lifetime is used up (20 s of 120 left, against a 60 s TTL; wide enough for a
            // loaded machine): a read renews only up to what is left.
            _ = try await cache.redis.send(RESPCommand("PEXPIRE", life, "20000"))
            #expect(try await cache.get(key) == "bob")
            let renewed = try await pttl(key.key, cache)
            #expect(renewed > 0 && renewed <= 20_000, "renewed to the lifetime's end, not a full TTL: \(renewed)")
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
            let spec = family(ttl: .seconds(60), maxAge: .seconds(120))
            let fetched = CacheKey(key: "test:session:3", family: spec, codec: .string)
            #expect(try await cache.fetch(fetched) { "loaded" } == "loaded")
            #expect(try await pttl(KeyFamilySpec.lifetimeKey(fetched.key), cache) > 90_000, "the 120 s lifetime, not the 60 s TTL (margin for a loaded machine)")
            let written = CacheKey(key: "test:session:4", family: spec, codec: .string)
            try await cache.mset([(written, "warm")])
            #expect(try await pttl(KeyFamilySpec.lifetimeKey(written.key), cache) > 90_000)
            #expect(try await cache.get(written) == "warm")
        }
    }
}
