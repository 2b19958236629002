import Foundation
import NIOConcurrencyHelpers
import RESP
import TestSupport

/// A Redis Cluster of real processes on loopback: `primaries` nodes (plus `replicasPerPrimary`),
/// `cluster-node-timeout` 2000 ms, slots spread by `redis-cli --cluster create`.
public final class RedisCluster: Sendable {
    public let nodes: [RedisServer]
    public let folder: String
    private let stopped = NIOLockedValueBox(false)

    private init(nodes: [RedisServer], folder: String) {
        self.nodes = nodes
        self.folder = folder
    }

    /// One topology runs at a time (``TopologyGate``): this waits for the one before to stop.
    public static func start(primaries: Int = 3, replicasPerPrimary: Int = 0) async throws -> RedisCluster {
        await TopologyGate.acquire()
        do {
            return try await launch(primaries: primaries, replicasPerPrimary: replicasPerPrimary)
        } catch {
            TopologyGate.release()
            throw error
        }
    }

    private static func launch(primaries: Int, replicasPerPrimary: Int) async throws -> RedisCluster {
        let folder = NSTemporaryDirectory() + "cachepolicy-cluster-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var nodes: [RedisServer] = []
        do {
            for index in 0..<(primaries * (1 + replicasPerPrimary)) {
                let dir = folder + "/node-\(index)"
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                // A cache prefers the other shards serving while one fails over (full coverage off), and
                // replicas in sync at once (no diskless-sync delay) that may always take over.
                nodes.append(try await RedisServer.start([
                    "--cluster-enabled", "yes", "--cluster-node-timeout", "2000", "--dir", dir, "--cluster-require-full-coverage", "no",
                    "--repl-diskless-sync-delay", "0", "--cluster-replica-validity-factor", "0",
                ]))
            }
            try await run(["redis-cli", "--cluster", "create"] + nodes.map { "127.0.0.1:\($0.port)" }
                + ["--cluster-replicas", "\(replicasPerPrimary)", "--cluster-yes"])
        } catch {
            // A failed or cancelled start stops the nodes it started: none outlives the test process.
            RedisCluster(nodes: nodes, folder: folder).stopNodes()
            throw error
        }
        let cluster = RedisCluster(nodes: nodes, folder: folder)
        do {
            try await cluster.waitUntilHealthy()
        } catch {
            cluster.stopNodes()
            throw error
        }
        return cluster
    }

    /// Waits until every node reports `cluster_state:ok` and agrees on the slots, and every replica
    /// is in sync with its primary.
    public func waitUntilHealthy(timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            var healthy = true
            for node in nodes {
                guard let connection = try? await RedisConnection.connect(node.configuration) else {
                    healthy = false
                    break
                }
                let info = try? await connection.send(RESPCommand("CLUSTER", "INFO")).string
                let replication = try? await connection.send(RESPCommand("INFO", "replication")).string
                await connection.close()
                let syncing = replication?.contains("role:slave") == true && replication?.contains("master_link_status:up") != true
                if info?.contains("cluster_state:ok") != true || info?.contains("cluster_slots_assigned:16384") != true || syncing {
                    healthy = false
                    break
                }
            }
            if healthy { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw RedisConnectionError(.connectFailed, "the cluster did not become healthy")
    }

    /// Stops every node and gives the topology gate back (once, however often it is called).
    public func stop() {
        guard stopped.withLockedValue({ stopped in defer { stopped = true }; return !stopped }) else { return }
        stopNodes()
        TopologyGate.release()
    }

    func stopNodes() {
        for node in nodes { node.stop() }
        try? FileManager.default.removeItem(atPath: folder)
    }

    private static func run(_ arguments: [String]) async throws {
        let run = try await ChildProcess.run(arguments, mergingErrors: true)
        guard run.status == 0 else {
            throw RedisConnectionError(.connectFailed, "\(arguments.prefix(3).joined(separator: " ")) failed: \(run.output.suffix(500))")
        }
    }
}

/// Runs `body` with a fresh cluster, stopping it afterwards.
public func withRedisCluster<T>(primaries: Int = 3, replicasPerPrimary: Int = 0, _ body: (RedisCluster) async throws -> T) async throws -> T {
    let cluster = try await RedisCluster.start(primaries: primaries, replicasPerPrimary: replicasPerPrimary)
    defer { cluster.stop() }
    return try await body(cluster)
}
