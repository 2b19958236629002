@testable import CacheMonitoring
import MetricsTestKit
import Testing

@Suite("Redis INFO")
struct RedisInfoTests {
    static let sample = """
        # Memory\r
        used_memory:1048576\r
        maxmemory:0\r
        # Stats\r
        evicted_keys:3\r
        expired_keys:10\r
        keyspace_hits:100\r
        keyspace_misses:20\r
        # Clients\r
        connected_clients:4\r
        """

    @Test func parsesTheFieldsItNeeds() throws {
        let info = try #require(RedisInfo(parsing: Self.sample))
        #expect(info == RedisInfo(parsing: Self.sample))
        #expect(info.usedMemory == 1_048_576 && info.maxMemory == 0 && info.evictedKeys == 3 && info.expiredKeys == 10)
        #expect(info.keyspaceHits == 100 && info.keyspaceMisses == 20 && info.connectedClients == 4)
        #expect(RedisInfo(parsing: "# Server\r\nredis_version:7.0.15\r\n") == nil)
    }

    @Test func aClustersPrimariesAddUp() throws {
        let one = try #require(RedisInfo(parsing: Self.sample))
        var two = one
        two.usedMemory = 1000
        two.maxMemory = 4000
        let both = try #require(RedisInfo.combined([one, two]))
        #expect(both.usedMemory == 1_049_576 && both.keyspaceHits == 200 && both.evictedKeys == 6 && both.connectedClients == 8)
        #expect(both.maxMemory == 0, "one primary without a limit: no limit")
        var three = two
        three.maxMemory = 1000
        #expect(RedisInfo.combined([two, three])?.maxMemory == 5000)
        #expect(RedisInfo.combined([]) == nil)
    }

    /// The server's cumulative counters become counters that grow by their increase; a restarted
    /// server (counters back near zero) adds its new values instead of a negative step.
    @Test func countersGrowByTheIncreaseBetweenSamples() throws {
        let metrics = TestMetrics()
        let recorder = RedisInfoMetrics(factory: metrics)
        var info = try #require(RedisInfo(parsing: Self.sample))
        recorder.record(info)
        info.keyspaceHits = 150
        info.usedMemory = 2_000_000
        recorder.record(info)
        info.keyspaceHits = 5  // restarted
        recorder.record(info)
        #expect(try metrics.expectCounter("cachepolicy_redis_keyspace_hits_total").totalValue == 155)
        #expect(try metrics.expectCounter("cachepolicy_redis_evicted_keys_total").totalValue == 3)
        #expect(try metrics.expectGauge("cachepolicy_redis_used_memory_bytes").lastValue == 2_000_000)
        #expect(try metrics.expectGauge("cachepolicy_redis_connected_clients").lastValue == 4)
    }
}
