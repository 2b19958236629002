@testable import CacheClient
@_spi(Generated) import CacheRuntime
import ExamplePlatform
import Foundation
import Logging
import NIOConcurrencyHelpers
import RESP
import RedisTestSupport
import TestSupport
import Testing

/// Reads that degrade instead of failing (issue 10, first parts).
@Suite("Degradation (real redis-server)", .hangLimit)
struct DegradationTests {
    /// An entry written by another value type (a deploy changed it) reads as a miss: removed,
    /// counted, logged once per family; a fetch reloads it.
    @Test func undecodableEntriesAreMisses() async throws {
        try await withRedisServer { server in
            let log = LogCollector()
            let redis = RedisClient(server.configuration)
            let cache = CacheClient(redis: redis, logger: log.logger)
            let first = PaymentCache.recent(userId: alice), second = PaymentCache.recent(userId: bob)
            for key in [first, second] { _ = try await redis.send(RESPCommand("SET", key.key, "{\"old\": \"format\"}")) }
            #expect(try await cache.get(first) == nil)
            #expect(try await exists(first.key, cache) == false, "the undecodable entry was removed")
            #expect(try await cache.mget([second]) == [nil])
            #expect(cache.decodeFailures == 2)
            let logged = log.messages
            #expect(logged.count == 1 && logged[0].hasPrefix("warning an entry of payment.recent does not decode"), "\(logged)")
            #expect(!logged[0].contains("old"), "no cached value in the log")
            // A fetch over an undecodable entry loads and stores the current format.
            _ = try await redis.send(RESPCommand("SET", first.key, "garbage"))
            #expect(try await cache.fetch(first) { RecentPayments(payments: []) } == RecentPayments(payments: []))
            #expect(try await cache.get(first) == RecentPayments(payments: []))
            await redis.shutdown()
        }
    }

    struct LoaderFailure: Error {}

    /// A loader's error reaches every caller waiting on the load and is not cached: the next
    /// fetch runs the loader again.
    @Test func loaderErrorsReachEveryWaiterAndAreNotCached() async throws {
        try await withCache { cache, _ in
            let key = PaymentCache.recent(userId: alice)
            let calls = NIOLockedValueBox(0)
            let results = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        do {
                            _ = try await cache.fetch(key) {
                                calls.withLockedValue { $0 += 1 }
                                try await Task.sleep(for: .milliseconds(50))
                                throw LoaderFailure()
                            }
                            return false
                        } catch is LoaderFailure {
                            return true
                        }
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(results.allSatisfy { $0 } && results.count == 20, "every waiter got the loader's error")
            #expect(calls.withLockedValue { $0 } == 1, "one load for all of them")
            #expect(try await cache.get(key) == nil, "nothing cached")
            #expect(try await cache.fetch(key) { RecentPayments(payments: []) } == RecentPayments(payments: []))
            #expect(calls.withLockedValue { $0 } == 1)
        }
    }
}

/// The breaker's transitions without a server.
@Suite("Circuit breaker")
struct CircuitBreakerTests {
    @Test func opensAfterTheThresholdProbesOnceAndCloses() {
        var breaker = CircuitBreaker(threshold: 3, openFor: .seconds(1))
        let start = ContinuousClock.now
        #expect(breaker.decide(now: start) == .use)
        breaker.failed(now: start)
        breaker.failed(now: start)
        #expect(breaker.decide(now: start) == .use, "two failures: still closed")
        breaker.failed(now: start)
        #expect(breaker.isOpen)
        #expect(breaker.decide(now: start + .milliseconds(999)) == .bypass)
        #expect(breaker.decide(now: start + .seconds(1)) == .probe, "one probe after openFor")
        #expect(breaker.decide(now: start + .seconds(1)) == .bypass, "only one")
        breaker.failed(now: start + .seconds(1))
        #expect(breaker.decide(now: start + .milliseconds(1500)) == .bypass, "a failed probe opens it again")
        #expect(breaker.decide(now: start + .seconds(2)) == .probe)
        breaker.succeeded()
        #expect(breaker.state == .closed(failures: 0))
        breaker.failed(now: start)
        breaker.succeeded()
        #expect(breaker.state == .closed(failures: 0), "a success resets the count")
    }
}

/// Redis killed under fetches: the loader serves, the breaker opens, Redis is bypassed, and after
/// the restart a probe closes it again.
@Suite("Fail open (real redis-server)", .hangLimit)
struct FailOpenTests {
    @Test func fetchServesFromTheLoaderWhileRedisIsDown() async throws {
        try await withRedisServer { server in
            var configuration = server.configuration
            configuration.commandTimeout = .milliseconds(500)
            let redis = RedisClient(configuration, reconnectPolicy: ReconnectPolicy(initialDelay: .milliseconds(20), maxDelay: .milliseconds(50)))
            let cache = CacheClient(redis: redis, breaker: CircuitBreaker(threshold: 2, openFor: .milliseconds(200)))
            let key = PaymentCache.recent(userId: alice)
            #expect(try await cache.fetch(key) { RecentPayments(payments: []) } == RecentPayments(payments: []))
            server.stop()
            for _ in 0..<10 {
                #expect(try await cache.fetch(key) { RecentPayments(payments: []) } == RecentPayments(payments: []), "the loader serves")
            }
            #expect(cache.breakerState != .closed(failures: 0))
            guard case .open = cache.breakerState else { Issue.record("the breaker opened: \(cache.breakerState)"); return }
            // Fail closed: the outage is the caller's error.
            let strict = CacheClient(redis: redis, degradation: .failClosed)
            await #expect(throws: RedisConnectionError.self) { try await strict.fetch(key) { RecentPayments(payments: []) } }

            try await server.restart()
            var closed = false
            for _ in 0..<100 where !closed {
                _ = try await cache.fetch(key) { RecentPayments(payments: []) }
                closed = cache.breakerState == .closed(failures: 0)
                if !closed { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(closed, "a probe closed the breaker once Redis was back")
            _ = try await cache.fetch(key) { RecentPayments(payments: []) }
            #expect(try await cache.get(key) != nil, "caching works again")
            await redis.shutdown()
        }
    }
}
