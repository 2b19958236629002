import NIOConcurrencyHelpers
import RESP
import RedisTestSupport
import Testing

/// The cluster client against real 3-primary clusters started by the test.
// Topologies take turns (TopologyGate): the limit covers the wait for the others.
@Suite("Cluster client (real redis-server processes)", .serialized, .timeLimit(.minutes(6)))
struct ClusterClientTests {
    func client(_ cluster: RedisCluster) -> RedisClusterClient {
        RedisClusterClient(seeds: [("127.0.0.1", cluster.nodes[0].port)])
    }

    @Test func routesCommandsAndPipelinesAcrossNodes() async throws {
        try await withRedisCluster { cluster in
            let client = client(cluster)
            for index in 0..<300 { try await client.send(RESPCommand("SET", "k\(index)", "\(index)"), key: "k\(index)") }
            let replies = try await client.pipeline((0..<300).map { ("k\($0)", RESPCommand("GET", "k\($0)")) })
            #expect(replies.map(\.string) == (0..<300).map { "\($0)" }, "one pipeline per node, reassembled in order")
            // Every node got some of them.
            for node in cluster.nodes {
                let connection = try await RedisConnection.connect(node.configuration)
                #expect((try await connection.send(RESPCommand("DBSIZE")).int ?? 0) > 50)
                await connection.close()
            }
            await client.shutdown()
        }
    }

    /// Node ids by port, and the owner of a slot.
    func ids(_ cluster: RedisCluster) async throws -> [Int: String] {
        var ids: [Int: String] = [:]
        for node in cluster.nodes {
            let connection = try await RedisConnection.connect(node.configuration)
            ids[node.port] = try await connection.send(RESPCommand("CLUSTER", "MYID")).string
            await connection.close()
        }
        return ids
    }

    /// A slot migrated (CLUSTER SETSLOT … MIGRATING/IMPORTING, MIGRATE, SETSLOT … NODE) under a
    /// read/write load: no operation fails, through ASK during the move and MOVED after it.
    @Test func aSlotMigrationUnderLoadFailsNothing() async throws {
        try await withRedisCluster { cluster in
            let client = client(cluster)
            let keys = (0..<200).map { "{migrating}:k\($0)" }
            for key in keys { try await client.send(RESPCommand("SET", key, "0"), key: key) }
            let slot = HashSlot.of("{migrating}")
            let map = try await client.slotMap()
            let sourcePort = try #require(map.primary(forSlot: slot)?.port)
            let targetPort = cluster.nodes.first { $0.port != sourcePort }!.port
            let ids = try await ids(cluster)
            let source = try await RedisConnection.connect(RedisConfiguration(port: sourcePort))
            let target = try await RedisConnection.connect(RedisConfiguration(port: targetPort))

            let failures = NIOLockedValueBox<[String]>([])
            let operations = NIOLockedValueBox(0)
            let done = NIOLockedValueBox(false)
            let load = Task {
                await withTaskGroup(of: Void.self) { group in
                    for worker in 0..<4 {
                        group.addTask {
                            var round = 0
                            while !done.withLockedValue({ $0 }) {
                                round += 1
                                let key = keys[(worker * 50 + round) % keys.count]
                                do {
                                    try await client.send(RESPCommand("SET", key, "\(round)"), key: key)
                                    _ = try await client.send(RESPCommand("GET", key), key: key)
                                    // A key that does not exist yet: during the move the target creates it (ASK).
                                    let fresh = "{migrating}:new:\(worker):\(round)"
                                    try await client.send(RESPCommand("SET", fresh, "x"), key: fresh)
                                    operations.withLockedValue { $0 += 3 }
                                } catch {
                                    failures.withLockedValue { $0.append("\(error)") }
                                }
                            }
                        }
                    }
                }
            }
            try await Task.sleep(for: .milliseconds(200))
            try await target.send(RESPCommand("CLUSTER", "SETSLOT", "\(slot)", "IMPORTING", ids[sourcePort]!))
            try await source.send(RESPCommand("CLUSTER", "SETSLOT", "\(slot)", "MIGRATING", ids[targetPort]!))
            while true {
                let batch = try await source.send(RESPCommand("CLUSTER", "GETKEYSINSLOT", "\(slot)", "20")).elements?.compactMap(\.string) ?? []
                if batch.isEmpty { break }
                var migrate = RESPCommand("MIGRATE", "127.0.0.1", "\(targetPort)", "")
                migrate.append(0)
                migrate.append(5000)
                migrate.append("KEYS")
                migrate.append(contentsOf: batch)
                try await source.send(migrate)
                try await Task.sleep(for: .milliseconds(20))
            }
            for port in cluster.nodes.map(\.port) {
                let connection = try await RedisConnection.connect(RedisConfiguration(port: port))
                try await connection.send(RESPCommand("CLUSTER", "SETSLOT", "\(slot)", "NODE", ids[targetPort]!))
                await connection.close()
            }
            try await Task.sleep(for: .milliseconds(300))
            done.withLockedValue { $0 = true }
            await load.value
            #expect(failures.withLockedValue { $0 }.isEmpty, "\(failures.withLockedValue { $0 }.prefix(3))")
            #expect(operations.withLockedValue { $0 } > 100)
            #expect(client.askRedirects > 0 && client.movedRedirects > 0, "ASK during the move (\(client.askRedirects)), MOVED after it (\(client.movedRedirects))")
            #expect(try await client.slotMap().primary(forSlot: slot)?.port == targetPort, "MOVED after the move updated the map")
            for key in keys { #expect(try await client.send(RESPCommand("GET", key), key: key).string != nil) }
            await source.close()
            await target.close()
            await client.shutdown()
        }
    }

    actor Writes {
        var log: [(key: String, value: String, at: ContinuousClock.Instant, failed: Bool)] = []
        func record(_ key: String, _ value: String, failed: Bool) { log.append((key, value, .now, failed)) }
    }

    /// `kill -9` of a primary (3 primaries, 3 replicas, `cluster-node-timeout` 2000) under a write
    /// load: the client follows the promotion; only keys of the killed primary's slots fail, only
    /// inside the failover window; nothing the new primary acknowledged is lost.
    @Test func followsThePromotionOfAKilledPrimary() async throws {
        try await withRedisCluster(primaries: 3, replicasPerPrimary: 1) { cluster in
            let client = client(cluster)
            let map = try await client.slotMap()
            let victimPort = try #require(map.primary(forSlot: HashSlot.of("k0"))?.port)
            let victim = try #require(cluster.nodes.first { $0.port == victimPort })
            let victimSlots = Set(map.shards.first { $0.primary?.port == victimPort }!.slots.flatMap { Array($0) })
            let writes = Writes()
            let killed = NIOLockedValueBox<ContinuousClock.Instant?>(nil)
            let deadline = ContinuousClock.now + .seconds(40)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<4 {
                    group.addTask {
                        var round = 0
                        while ContinuousClock.now < deadline {
                            round += 1
                            let key = "w\(worker):k\(round % 500)"
                            do {
                                try await client.send(RESPCommand("SET", key, "\(worker)-\(round)"), key: key)
                                await writes.record(key, "\(worker)-\(round)", failed: false)
                            } catch {
                                await writes.record(key, "\(worker)-\(round)", failed: true)
                            }
                            // Stop once the killed primary's slots have taken writes again for a while.
                            if let at = killed.withLockedValue({ $0 }), ContinuousClock.now - at > .seconds(2) {
                                let recovered = await writes.log.contains { !$0.failed && $0.at > at + .seconds(1) && victimSlots.contains(HashSlot.of($0.key)) }
                                let failing = await writes.log.last { $0.failed }.map { ContinuousClock.now - $0.at < .seconds(1) } ?? false
                                if recovered && !failing { return }
                            }
                        }
                    }
                }
                try await Task.sleep(for: .milliseconds(500))
                killed.withLockedValue { $0 = .now }
                victim.stop()
                try await group.waitForAll()
            }
            let killedAt = try #require(killed.withLockedValue { $0 })
            let log = await writes.log
            let failures = log.filter(\.failed)
            #expect(failures.allSatisfy { victimSlots.contains(HashSlot.of($0.key)) }, "only the killed primary's slots failed")
            let lastFailure = failures.map(\.at).max() ?? killedAt
            let window = lastFailure - killedAt
            print("Cluster failover (cluster-node-timeout 2000): writes to the killed primary's slots failed for \(window), \(failures.count) failed of \(log.count)")
            #expect(window < .seconds(20))
            #expect(failures.allSatisfy { $0.at >= killedAt })
            // The writes the promoted replica acknowledged (after the window) are all there.
            var lost = 0
            let after = log.filter { !$0.failed && $0.at > lastFailure && victimSlots.contains(HashSlot.of($0.key)) }
            var latest: [String: String] = [:]
            for write in log where !write.failed && write.at > lastFailure { latest[write.key] = write.value }
            for (key, value) in latest where try await client.send(RESPCommand("GET", key), key: key).string != value { lost += 1 }
            #expect(!after.isEmpty && lost == 0, "\(lost) of \(latest.count) writes lost")
            #expect(try await client.slotMap().primary(forSlot: HashSlot.of("k0"))?.port != victimPort, "the map names the promoted replica")
            await client.shutdown()
        }
    }
}
