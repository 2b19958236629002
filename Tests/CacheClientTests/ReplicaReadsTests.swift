import CacheClient
@_spi(Generated) import CacheRuntime
import ExamplePlatform
import Foundation
import RESP
import RedisTestSupport
import Testing

/// `readFrom: replica` against real processes: a master, its replica and three sentinels.
// Topologies take turns (TopologyGate): the limit covers the wait for the others.
@Suite("Replica reads per key family (Sentinel)", .serialized, .timeLimit(.minutes(6)))
struct ReplicaReadsTests {
    /// `GET` calls a server has answered (`INFO commandstats`).
    static func getCalls(_ server: RedisServer) async throws -> Int {
        let connection = try await RedisConnection.connect(RedisConfiguration(port: server.port, preferRESP3: false))
        defer { Task { await connection.close() } }
        let stats = try await connection.send(RESPCommand("INFO", "commandstats")).string ?? ""
        guard let line = stats.split(whereSeparator: \.isNewline).first(where: { $0.hasPrefix("cmdstat_get:") }),
              let calls = line.split(separator: ",").first?.split(separator: "=").last.flatMap({ Int($0) })
        else { return 0 }
        return calls
    }

    @Test func aReplicaFamilyIsReadFromTheReplicaAndFallsBackToThePrimary() async throws {
        let topology = try await SentinelTopology.start()
        defer { topology.stop() }
        var replicaConfiguration = topology.configuration
        replicaConfiguration.sentinel?.role = .replica
        let primary = RedisClient(topology.configuration)
        let replica = RedisClient(replicaConfiguration, reconnectPolicy: ReconnectPolicy(initialDelay: .milliseconds(20), maxDelay: .milliseconds(100)))
        let cache = CacheClient(redis: primary, replica: replica)
        #expect(UtilityCache.Families.types.readFromReplica && !UtilityCache.Families.providers.readFromReplica)
        #expect(try await replica.connection().configuration.port == topology.replica.port, "the sentinels named the replica")

        let types = UtilityTypeList(types: ["electricity", "water"])
        try await cache.set(UtilityCache.types(), types)
        let providers = ProviderList(providers: [])
        try await cache.set(UtilityCache.providers(utilityType: .water), providers)
        _ = try await primary.send(RESPCommand("WAIT", "1", "2000"))
        let (masterBefore, replicaBefore) = (try await Self.getCalls(topology.master), try await Self.getCalls(topology.replica))
        #expect(try await cache.get(UtilityCache.types()) == types)
        #expect(try await cache.mget([UtilityCache.types()]) == [types])
        #expect(try await cache.fetch(UtilityCache.types()) { Issue.record("a replica hit needs no load"); return types } == types)
        #expect(try await cache.get(UtilityCache.providers(utilityType: .water)) == providers)
        #expect(try await Self.getCalls(topology.replica) - replicaBefore == 2, "get and fetch of the replica family read the replica (mget is MGET)")
        #expect(try await Self.getCalls(topology.master) - masterBefore == 1, "the primary family was read from the primary")

        // The replica dies: reads of its family are answered by the primary, counted.
        topology.replica.stop()
        #expect(try await cache.get(UtilityCache.types()) == types)
        #expect(cache.replicaReadFallbacks >= 1)
        await replica.shutdown()
        await primary.shutdown()
    }
}
