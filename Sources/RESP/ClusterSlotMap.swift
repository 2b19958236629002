/// Which node of a Redis Cluster serves each of the 16,384 slots, as a plain value: built from
/// `CLUSTER SHARDS` (Redis 7), updated by `MOVED` redirects, read for every command's routing.
public struct ClusterSlotMap: Sendable, Hashable {
    public struct Node: Sendable, Hashable, CustomStringConvertible {
        public var id: String
        public var host: String
        public var port: Int
        public var isPrimary: Bool
        /// `online`; `failed` or `loading` nodes are not routed to.
        public var health: String

        public init(id: String, host: String, port: Int, isPrimary: Bool, health: String = "online") {
            self.id = id
            self.host = host
            self.port = port
            self.isPrimary = isPrimary
            self.health = health
        }

        public var description: String { "\(host):\(port)" }
    }

    public struct Shard: Sendable, Hashable {
        public var slots: [ClosedRange<Int>]
        public var nodes: [Node]

        public var primary: Node? { nodes.first { $0.isPrimary && $0.health == "online" } }
        public var replicas: [Node] { nodes.filter { !$0.isPrimary && $0.health == "online" } }
    }

    public private(set) var shards: [Shard]
    /// Shard index per slot; -1 for a slot no shard serves.
    private var owners: [Int16]

    public init(shards: [Shard]) {
        self.shards = shards
        owners = [Int16](repeating: -1, count: HashSlot.count)
        for (index, shard) in shards.enumerated() {
            for range in shard.slots where range.lowerBound >= 0 && range.upperBound < HashSlot.count {
                for slot in range { owners[slot] = Int16(index) }
            }
        }
    }

    /// Parses a `CLUSTER SHARDS` reply (RESP3 maps or RESP2 flat key-value arrays).
    public init(clusterShards reply: RESPValue) throws {
        guard let items = reply.elements else { throw RedisError("CLUSTER SHARDS returned \(reply.kindDescription)") }
        var shards: [Shard] = []
        for item in items {
            let fields = try Self.fields(item)
            let bounds = (fields["slots"]?.elements ?? []).compactMap { $0.int.map(Int.init) }
            guard bounds.count % 2 == 0 else { throw RedisError("CLUSTER SHARDS gave an odd list of slot bounds") }
            let slots = stride(from: 0, to: bounds.count, by: 2).compactMap { index in
                bounds[index] <= bounds[index + 1] ? bounds[index]...bounds[index + 1] : nil
            }
            let nodes = try (fields["nodes"]?.elements ?? []).map { value -> Node in
                let node = try Self.fields(value)
                guard let id = node["id"]?.string, let port = node["port"]?.int ?? node["tls-port"]?.int,
                      let host = node["endpoint"]?.string.flatMap({ $0 == "?" || $0.isEmpty ? nil : $0 }) ?? node["ip"]?.string
                else { throw RedisError("CLUSTER SHARDS gave a node without id, address or port") }
                return Node(id: id, host: host, port: Int(port), isPrimary: node["role"]?.string == "master", health: node["health"]?.string ?? "online")
            }
            shards.append(Shard(slots: slots, nodes: nodes))
        }
        self.init(shards: shards)
    }

    /// The primary serving `slot`, if the map knows one.
    public func primary(forSlot slot: Int) -> Node? {
        guard slot >= 0, slot < HashSlot.count, owners[slot] >= 0 else { return nil }
        return shards[Int(owners[slot])].primary
    }

    /// Slots no primary serves (the cluster is not fully covered, or the map is stale).
    public var uncoveredSlots: Int { owners.indices.filter { primary(forSlot: $0) == nil }.count }

    /// A `MOVED <slot> <host>:<port>` redirect: the slot now belongs to that node (its shard if the
    /// map knows the node, otherwise a new shard with just it). The caller should also refresh
    /// the whole map soon, since a moved slot usually means others moved too.
    public mutating func moved(slot: Int, to host: String, port: Int) {
        guard slot >= 0, slot < HashSlot.count else { return }
        if let index = shards.firstIndex(where: { $0.nodes.contains { $0.host == host && $0.port == port && $0.isPrimary } }) {
            owners[slot] = Int16(index)
        } else {
            shards.append(Shard(slots: [slot...slot], nodes: [Node(id: "", host: host, port: port, isPrimary: true)]))
            owners[slot] = Int16(shards.count - 1)
        }
    }

    /// The fields of a RESP3 map or a RESP2 flat `[key, value, key, value, …]` array.
    static func fields(_ value: RESPValue) throws -> [String: RESPValue] {
        switch value {
        case .map(let pairs):
            return Dictionary(pairs.compactMap { pair in pair.key.string.map { ($0, pair.value) } }, uniquingKeysWith: { first, _ in first })
        case .array(let items):
            var fields: [String: RESPValue] = [:]
            var index = 0
            while index + 1 < items.count {
                if let key = items[index].string { fields[key] = items[index + 1] }
                index += 2
            }
            return fields
        default:
            throw RedisError("CLUSTER SHARDS gave \(value.kindDescription) where a map was expected")
        }
    }
}

/// A cluster redirect in an error reply: `MOVED 3999 127.0.0.1:6381` or `ASK 3999 127.0.0.1:6381`.
public struct ClusterRedirect: Sendable, Hashable {
    public enum Kind: Sendable, Hashable { case moved, ask }

    public let kind: Kind
    public let slot: Int
    public let host: String
    public let port: Int

    /// `nil` for an error that is not a redirect.
    public init?(_ error: RedisError) {
        let parts = error.message.split(separator: " ")
        guard parts.count == 3, let slot = Int(parts[1]), let colon = parts[2].lastIndex(of: ":"), let port = Int(parts[2][parts[2].index(after: colon)...]) else { return nil }
        switch parts[0] {
        case "MOVED": kind = .moved
        case "ASK": kind = .ask
        default: return nil
        }
        self.slot = slot
        var host = String(parts[2][..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.host = host
        self.port = port
    }
}
