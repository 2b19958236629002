@testable import CacheClient
@_spi(Generated) import CacheRuntime
import ExamplePlatform
import Foundation
import Logging
import NIOConcurrencyHelpers
import RESP
import RedisTestSupport
import Testing

/// Reads that degrade instead of failing (issue 10, first parts).
@Suite("Degradation (real redis-server)", .timeLimit(.minutes(1)))
struct DegradationTests {
    /// Collects log messages.
    struct Collector: LogHandler {
        let messages: NIOLockedValueBox<[String]>
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            messages.withLockedValue { $0.append("\(event.level) \(event.message)") }
        }
    }

    /// An entry written by another value type (a deploy changed it) reads as a miss: removed,
    /// counted, logged once per family; a fetch reloads it.
    @Test func undecodableEntriesAreMisses() async throws {
        try await withRedisServer { server in
            let messages = NIOLockedValueBox<[String]>([])
            let redis = RedisClient(server.configuration)
            let cache = CacheClient(redis: redis, logger: Logger(label: "test") { _ in Collector(messages: messages) })
            let first = PaymentCache.recent(userId: alice), second = PaymentCache.recent(userId: bob)
            for key in [first, second] { _ = try await redis.send(RESPCommand("SET", key.key, "{\"old\": \"format\"}")) }
            #expect(try await cache.get(first) == nil)
            #expect(try await exists(first.key, cache) == false, "the undecodable entry was removed")
            #expect(try await cache.mget([second]) == [nil])
            #expect(cache.decodeFailures == 2)
            let logged = messages.withLockedValue { $0 }
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
