import Foundation
import NIOConcurrencyHelpers
import RESP

/// A Sentinel-managed master (`cache`) with one replica and three sentinels
/// (`down-after-milliseconds` 1000), real processes on loopback.
public struct SentinelTopology: Sendable {
    public let master: RedisServer
    public let replica: RedisServer
    public let sentinels: [RedisServer]
    public let folder: String

    public var all: [RedisServer] { [master, replica] + sentinels }

    private let stopped = NIOLockedValueBox(false)

    /// Stops every process and gives the topology gate back (once, however often it is called).
    public func stop() {
        guard stopped.withLockedValue({ stopped in defer { stopped = true }; return !stopped }) else { return }
        for server in all { server.stop() }
        try? FileManager.default.removeItem(atPath: folder)
        TopologyGate.release()
    }

    /// The master through the sentinels (name `cache`).
    public var configuration: RedisConfiguration {
        var configuration = RedisConfiguration(connectTimeout: .milliseconds(500), commandTimeout: .seconds(1))
        configuration.sentinel = SentinelConfiguration(
            sentinels: sentinels.map { .init(host: "127.0.0.1", port: $0.port) }, masterName: "cache", timeout: .milliseconds(300))
        return configuration
    }

    /// Starts the master, its replica and three sentinels (`down-after-milliseconds` 1000), and
    /// waits until the sentinels know the replica and each other.
    /// One topology runs at a time (``TopologyGate``): this waits for the one before to stop.
    public static func start() async throws -> SentinelTopology {
        await TopologyGate.acquire()
        do {
            return try await launch()
        } catch {
            TopologyGate.release()
            throw error
        }
    }

    private static func launch() async throws -> SentinelTopology {
        let folder = NSTemporaryDirectory() + "cachepolicy-sentinel-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var started: [RedisServer] = []
        do {
            return try await launch(in: folder, started: &started)
        } catch {
            // A failed or cancelled start stops what it started: nothing outlives the test process.
            for server in started { server.stop() }
            try? FileManager.default.removeItem(atPath: folder)
            throw error
        }
    }

    private static func launch(in folder: String, started: inout [RedisServer]) async throws -> SentinelTopology {
        let master = try await RedisServer.start(["--repl-diskless-sync-delay", "0"])
        started.append(master)
        let replica = try await RedisServer.start(["--replicaof", "127.0.0.1", "\(master.port)"])
        started.append(replica)
        let link = try await RedisConnection.connect(RedisConfiguration(port: replica.port))
        let synced = ContinuousClock.now + .seconds(20)
        do {
            while ContinuousClock.now < synced, try await link.send(RESPCommand("INFO", "replication")).string?.contains("master_link_status:up") != true {
                try await Task.sleep(for: .milliseconds(50))
            }
        } catch {
            await link.close()
            throw error
        }
        await link.close()
        var sentinels: [RedisServer] = []
        for index in 0..<3 {
            let file = folder + "/sentinel-\(index).conf"
            try """
                sentinel monitor cache 127.0.0.1 \(master.port) 2
                sentinel down-after-milliseconds cache 1000
                sentinel failover-timeout cache 3000
                sentinel parallel-syncs cache 1

                """.write(toFile: file, atomically: true, encoding: .utf8)
            let sentinel = try await RedisServer.start(["--sentinel"], configFile: file)
            started.append(sentinel)
            sentinels.append(sentinel)
        }
        let topology = SentinelTopology(master: master, replica: replica, sentinels: sentinels, folder: folder)
        let deadline = ContinuousClock.now + .seconds(20)
        for sentinel in sentinels {
            let connection = try await RedisConnection.connect(RedisConfiguration(port: sentinel.port, preferRESP3: false))
            defer { Task { await connection.close() } }
            while ContinuousClock.now < deadline {
                let replicas = try await connection.send(RESPCommand("SENTINEL", "REPLICAS", "cache")).elements?.count ?? 0
                let others = try await connection.send(RESPCommand("SENTINEL", "SENTINELS", "cache")).elements?.count ?? 0
                if replicas == 1 && others == 2 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        return topology
    }
}
