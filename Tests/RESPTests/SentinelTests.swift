import Foundation
import NIOConcurrencyHelpers
import RESP
import RedisTestSupport
import Testing

/// A Sentinel-managed master with one replica and three sentinels, real processes on loopback.
// Topologies take turns (TopologyGate): the limit covers the wait for the others.
@Suite("Sentinel (real redis-server processes)", .serialized, .timeLimit(.minutes(6)))
struct SentinelTests {
    actor Log {
        var events: [(at: ContinuousClock.Instant, error: String?)] = []
        var acknowledged: [(key: String, value: String, at: ContinuousClock.Instant)] = []
        func ok(_ key: String, _ value: String) {
            events.append((.now, nil))
            acknowledged.append((key, value, .now))
        }
        func failed(_ error: any Error) { events.append((.now, "\(error)")) }
        func recovered(after instant: ContinuousClock.Instant) -> Bool { events.contains { $0.at > instant + .milliseconds(200) && $0.error == nil } }
    }

    @Test func resolvesTheMasterAndVerifiesItsRole() async throws {
        let topology = try await SentinelTopology.start()
        defer { topology.stop() }
        let client = RedisClient(topology.configuration)
        try await client.send(RESPCommand("SET", "through-sentinel", "1"))
        let connection = try await client.connection()
        #expect(connection.configuration.port == topology.master.port)
        #expect("\(topology.configuration)".contains("sentinel(") && "\(topology.configuration)".hasSuffix("/cache/0"))
        await client.shutdown()
        // Sentinels that do not know the name: a located error, not a hang.
        var unknown = topology.configuration
        unknown.sentinel?.masterName = "nope"
        do {
            _ = try await RedisConnection.connect(unknown)
            Issue.record("connected to an unknown master")
        } catch let error as RedisConnectionError {
            #expect(error.kind == .connectFailed && error.message.contains("'nope'"), "\(error)")
        }
    }

    /// `kill -9` of the master under a write load: the client follows the promotion; errors are
    /// connection errors confined to the failover window; writes acknowledged after it are on the
    /// new master.
    @Test func followsTheFailoverOfAKilledMaster() async throws {
        let topology = try await SentinelTopology.start()
        defer { topology.stop() }
        let client = RedisClient(topology.configuration, reconnectPolicy: ReconnectPolicy(initialDelay: .milliseconds(50), maxDelay: .milliseconds(200)))
        let log = Log()
        let killed = NIOLockedValueBox<ContinuousClock.Instant?>(nil)
        let deadline = ContinuousClock.now + .seconds(60)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    var index = 0
                    while ContinuousClock.now < deadline {
                        if let at = killed.withLockedValue({ $0 }), await log.recovered(after: at) { return }
                        index += 1
                        let key = "w\(worker):\(index)"
                        do {
                            try await client.send(RESPCommand("SET", key, "\(index)"))
                            await log.ok(key, "\(index)")
                        } catch {
                            await log.failed(error)
                            try await Task.sleep(for: .milliseconds(20))
                        }
                    }
                }
            }
            try await Task.sleep(for: .milliseconds(500))
            killed.withLockedValue { $0 = .now }
            topology.master.stop()
            try await group.waitForAll()
        }
        let killedAt = try #require(killed.withLockedValue { $0 })
        let events = await log.events
        let failures = events.filter { $0.error != nil }
        // Writes already on the wire may still succeed right after the kill: the window runs from
        // the kill to the first success after the first failure.
        let firstFailure = try #require(failures.first { $0.at >= killedAt }?.at, "the kill was noticed")
        let firstSuccessAfter = try #require(events.first { $0.at > firstFailure && $0.error == nil }?.at, "the client recovered")
        let window = firstSuccessAfter - killedAt
        print("Sentinel failover (down-after-milliseconds 1000): writes failed for \(window) after kill -9, \(failures.count) failed calls of \(events.count)")
        #expect(window < .seconds(15))
        let outside = failures.filter { $0.at < killedAt || $0.at > firstSuccessAfter + .seconds(1) }
        #expect(outside.isEmpty, "errors only in the failover window: \(outside.prefix(3).map { ($0.at - killedAt, $0.error ?? "") })")
        #expect(failures.allSatisfy { $0.error!.contains("connect") || $0.error!.contains("closed") || $0.error!.contains("unavailable") || $0.error!.contains("READONLY") || $0.error!.contains("timed out") || $0.error!.contains("did not reply") },
                "\(failures.prefix(3))")
        // The client now talks to the promoted replica, which holds what it acknowledged.
        let connection = try await client.connection()
        #expect(connection.configuration.port == topology.replica.port)
        let admin = try await RedisConnection.connect(RedisConfiguration(port: topology.replica.port))
        let acknowledged = await log.acknowledged
        var lostBefore = 0, lostAfter = 0
        for write in acknowledged where try await admin.send(RESPCommand("GET", write.key)).string != write.value {
            if write.at < killedAt { lostBefore += 1 } else { lostAfter += 1 }
        }
        // Writes the old master acknowledged in its last moment may not have reached the replica
        // (replication is asynchronous); every write the new master acknowledged is there.
        #expect(lostAfter == 0)
        #expect(acknowledged.contains { $0.at > firstSuccessAfter })
        print("writes acknowledged by the killed master and lost with it: \(lostBefore) of \(acknowledged.filter { $0.at < killedAt }.count)")
        await admin.close()
        await client.shutdown()
    }

    /// A failover that leaves the old master up (`SENTINEL FAILOVER`): the `+switch-master` hint
    /// moves an idle client to the new master before any command meets the demoted one.
    @Test func switchMasterMovesAnIdleClient() async throws {
        let topology = try await SentinelTopology.start()
        defer { topology.stop() }
        let log = LogCollector()
        let client = RedisClient(topology.configuration, logger: log.logger)
        try await client.send(RESPCommand("SET", "before", "1"))
        #expect(try await client.connection().configuration.port == topology.master.port)
        var replicaRole = topology.configuration
        replicaRole.sentinel?.role = .replica
        let reader = RedisClient(replicaRole, reconnectPolicy: ReconnectPolicy(initialDelay: .milliseconds(50), maxDelay: .milliseconds(200)))
        #expect(try await reader.connection().configuration.port == topology.replica.port)
        try await Task.sleep(for: .milliseconds(300))  // the subscriptions to +switch-master are up
        let sentinel = try await RedisConnection.connect(RedisConfiguration(port: topology.sentinels[0].port, preferRESP3: false))
        try await sentinel.send(RESPCommand("SENTINEL", "FAILOVER", "cache"))
        await sentinel.close()
        var moved = false
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline, !moved {
            try await Task.sleep(for: .milliseconds(100))
            moved = log.messages.contains { $0.hasPrefix("info the sentinels switched the master") }
        }
        #expect(moved, "the hint arrived")
        // The next call resolves the new master: no READONLY on the way.
        try await client.send(RESPCommand("SET", "after", "1"))
        #expect(try await client.connection().configuration.port == topology.replica.port)
        #expect(!log.messages.contains { $0.contains("READONLY") })
        // The replica-role client left the promoted replica and reads from the old master once the
        // sentinels have made it a replica in sync.
        var readerPort = 0
        let rejoined = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < rejoined {
            readerPort = (try? await reader.connection().configuration.port) ?? 0
            if readerPort == topology.master.port { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(readerPort == topology.master.port)
        #expect(try await reader.send(RESPCommand("ROLE")).elements?.first?.string == "slave")
        await reader.shutdown()
        await client.shutdown()
    }
}
