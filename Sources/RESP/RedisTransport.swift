/// What the cache runtime needs from Redis, whether one server (``RedisClient``, standalone or a
/// Sentinel master) or a cluster (``RedisClusterClient``): the same calls, routed by key on a
/// cluster (``RESPCommand/routingKey``).
public protocol RedisTransport: Sendable {
    /// Sends one command (on a cluster, to the primary that serves its key's slot).
    @discardableResult
    func send(_ command: RESPCommand) async throws -> RESPValue
    /// Sends commands in one round trip per server; replies in order.
    func pipeline(_ commands: [RESPCommand]) async throws -> [RESPValue]
    /// A client per primary, for commands every primary must run (`SCAN`, `SCRIPT LOAD`).
    func primaries() async throws -> [RedisClient]
    /// Whether keys are spread over hash slots: a multi-key command must then keep its keys in
    /// one slot, and callers split such commands per slot.
    var isCluster: Bool { get }
    /// The connection settings (a cluster's are those of every node, the host and port aside).
    var configuration: RedisConfiguration { get }
}

extension RedisClient: RedisTransport {
    public func primaries() async throws -> [RedisClient] { [self] }
    public var isCluster: Bool { false }
}

extension RedisClusterClient: RedisTransport {
    /// Routes by ``RESPCommand/routingKey``; a command without a key goes to the primary of slot 0.
    @discardableResult
    public func send(_ command: RESPCommand) async throws -> RESPValue {
        try await send(command, key: command.routingKey ?? "")
    }

    public func pipeline(_ commands: [RESPCommand]) async throws -> [RESPValue] {
        try await pipeline(commands.map { (key: $0.routingKey ?? "", command: $0) })
    }

    /// The clients of the primaries that serve slots now.
    public func primaries() async throws -> [RedisClient] {
        let map = try await slotMap()
        var seen = Set<String>()
        return map.shards.compactMap(\.primary).filter { seen.insert("\($0.host):\($0.port)").inserted }.map { client($0.host, $0.port) }
    }

    public var isCluster: Bool { true }
}
