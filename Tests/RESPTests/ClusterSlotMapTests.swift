import RESP
import RedisTestSupport
import Testing

@Suite("Cluster slot map")
struct ClusterSlotMapTests {
    func node(_ port: Int, primary: Bool = true, health: String = "online") -> RESPValue {
        .array([
            .bulkString(.init(string: "id")), .bulkString(.init(string: "n\(port)")), .bulkString(.init(string: "port")), .integer(Int64(port)),
            .bulkString(.init(string: "ip")), .bulkString(.init(string: "127.0.0.1")), .bulkString(.init(string: "endpoint")), .bulkString(.init(string: "127.0.0.1")),
            .bulkString(.init(string: "role")), .bulkString(.init(string: primary ? "master" : "replica")),
            .bulkString(.init(string: "health")), .bulkString(.init(string: health)),
        ])
    }

    func shard(_ bounds: [Int64], _ nodes: [RESPValue]) -> RESPValue {
        .array([.bulkString(.init(string: "slots")), .array(bounds.map { .integer($0) }), .bulkString(.init(string: "nodes")), .array(nodes)])
    }

    @Test func parsesShardsAndFollowsMoved() throws {
        var map = try ClusterSlotMap(clusterShards: .array([
            shard([0, 5460], [node(7000), node(7003, primary: false)]),
            shard([5461, 10922], [node(7001)]),
            shard([10923, 16000, 16001, 16383], [node(7002, health: "failed"), node(7005, primary: false)]),
        ]))
        #expect(map.primary(forSlot: 0)?.port == 7000 && map.primary(forSlot: 5460)?.port == 7000 && map.primary(forSlot: 5461)?.port == 7001)
        #expect(map.shards[0].replicas.map(\.port) == [7003])
        #expect(map.primary(forSlot: 16383) == nil, "its primary failed and no other is known")
        #expect(map.uncoveredSlots == 16383 - 10923 + 1)
        map.moved(slot: 42, to: "127.0.0.1", port: 7001)
        #expect(map.primary(forSlot: 42)?.port == 7001 && map.primary(forSlot: 41)?.port == 7000)
        map.moved(slot: 16383, to: "127.0.0.1", port: 7009)
        #expect(map.primary(forSlot: 16383)?.port == 7009)
        #expect(throws: RedisError.self) { try ClusterSlotMap(clusterShards: .integer(1)) }
    }

    @Test func redirectsParse() {
        let moved = ClusterRedirect(RedisError("MOVED 3999 127.0.0.1:6381"))
        #expect(moved?.kind == .moved && moved?.slot == 3999 && moved?.host == "127.0.0.1" && moved?.port == 6381)
        let ask = ClusterRedirect(RedisError("ASK 12 [::1]:7000"))
        #expect(ask?.kind == .ask && ask?.slot == 12 && ask?.host == "::1" && ask?.port == 7000)
        #expect(ClusterRedirect(RedisError("ERR unknown command")) == nil)
    }

    /// Against a real 3-primary cluster: the map from CLUSTER SHARDS sends every key to the
    /// node that owns it (no redirect), and a node that does not own a key redirects to the
    /// node the map names.
    @Test func routesLikeARealCluster() async throws {
        try await withRedisCluster { cluster in
            let seed = try await RedisConnection.connect(cluster.nodes[0].configuration)
            let map = try ClusterSlotMap(clusterShards: try await seed.send(RESPCommand("CLUSTER", "SHARDS")))
            await seed.close()
            #expect(map.uncoveredSlots == 0 && map.shards.count == 3)
            var connections: [Int: RedisConnection] = [:]
            for node in cluster.nodes { connections[node.port] = try await RedisConnection.connect(node.configuration) }
            for index in 0..<200 {
                let key = "payment:recent:\(index)"
                let owner = try #require(map.primary(forSlot: HashSlot.of(key)))
                try await connections[owner.port]!.send(RESPCommand("SET", key, "v"))
                let other = cluster.nodes.first { $0.port != owner.port }!
                do {
                    _ = try await connections[other.port]!.send(RESPCommand("GET", key))
                    Issue.record("\(key) was served by a node that does not own it")
                } catch let error as RedisError {
                    let redirect = try #require(ClusterRedirect(error))
                    #expect(redirect.kind == .moved && redirect.slot == HashSlot.of(key) && redirect.port == owner.port)
                }
            }
            for connection in connections.values { await connection.close() }
        }
    }
}
