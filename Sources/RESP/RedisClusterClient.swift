import Logging
import NIOConcurrencyHelpers

/// A Redis Cluster client: commands are routed by their key's slot (``HashSlot``) to the primary
/// that serves it, over one multiplexed ``RedisClient`` per node (the standalone hot path).
///
/// - `MOVED` updates the slot map and retries on the named node; the whole map is refreshed
///   (`CLUSTER SHARDS`, at most once per ``Settings/refreshInterval``) since one moved slot
///   usually means more moved.
/// - `ASK` (a slot being migrated) is answered with `ASKING` and the command on the named node,
///   in one pipeline on its connection, without touching the map.
/// - At most ``Settings/maxRedirects`` redirects per command; `TRYAGAIN` and `CLUSTERDOWN`, and a
///   node that cannot be reached (a failover in progress), are retried after
///   ``Settings/retryDelay`` a few times (``Settings/retries``), with the map refreshed: a cache
///   waits a few hundred milliseconds, not seconds.
public final class RedisClusterClient: Sendable {
    public struct Settings: Sendable, Hashable {
        public var maxRedirects: Int
        public var retries: Int
        public var retryDelay: Duration
        public var refreshInterval: Duration

        public init(maxRedirects: Int = 5, retries: Int = 10, retryDelay: Duration = .milliseconds(50), refreshInterval: Duration = .milliseconds(100)) {
            self.maxRedirects = maxRedirects
            self.retries = retries
            self.retryDelay = retryDelay
            self.refreshInterval = refreshInterval
        }
    }

    /// The configuration every node connection uses (its host and port are replaced per node).
    public let configuration: RedisConfiguration
    public let seeds: [(host: String, port: Int)]
    public let settings: Settings
    public let reconnectPolicy: ReconnectPolicy
    public let logger: Logger
    private let state = NIOLockedValueBox(State())

    struct Address: Hashable {
        let host: String
        let port: Int
    }

    struct State {
        var map: ClusterSlotMap?
        var clients: [Address: RedisClient] = [:]
        var lastRefresh: ContinuousClock.Instant?
        var refreshing: Task<ClusterSlotMap, any Error>?
    }

    /// - Parameter seeds: nodes to learn the cluster from (any of them will do).
    public init(
        seeds: [(host: String, port: Int)], configuration: RedisConfiguration = RedisConfiguration(), settings: Settings = Settings(),
        reconnectPolicy: ReconnectPolicy = ReconnectPolicy(initialDelay: .milliseconds(20), maxDelay: .milliseconds(500)),
        logger: Logger = Logger(label: "cachepolicy.redis.cluster")
    ) {
        precondition(!seeds.isEmpty, "a cluster client needs at least one seed node")
        self.seeds = seeds
        self.configuration = configuration
        self.settings = settings
        self.reconnectPolicy = reconnectPolicy
        self.logger = logger
    }

    /// The slot map, loading it on first use.
    public func slotMap() async throws -> ClusterSlotMap {
        if let map = state.withLockedValue({ $0.map }) { return map }
        return try await refresh(force: true)
    }

    /// Redirects followed since the client was made.
    public var movedRedirects: Int { redirectCounts.withLockedValue { $0.moved } }
    public var askRedirects: Int { redirectCounts.withLockedValue { $0.ask } }
    private let redirectCounts = NIOLockedValueBox((moved: 0, ask: 0))

    /// Sends a command whose first key is `key` to the node that serves its slot.
    @discardableResult
    public func send(_ command: RESPCommand, key: String) async throws -> RESPValue {
        let slot = HashSlot.of(key)
        var asking: (host: String, port: Int)?
        var redirects = 0
        var retries = 0
        while true {
            let target: (host: String, port: Int)
            if let asking {
                target = asking
            } else {
                guard let owner = try await slotMap().primary(forSlot: slot) else {
                    retries += 1
                    guard retries <= settings.retries else { throw RedisError("CLUSTERDOWN no node serves slot \(slot)") }
                    try await Task.sleep(for: settings.retryDelay)
                    _ = try? await refresh(force: false)
                    continue
                }
                target = (owner.host, owner.port)
            }
            let client = client(target.host, target.port)
            do {
                if asking != nil {
                    let replies = try await client.pipeline([RESPCommand("ASKING"), command])
                    asking = nil
                    if case .error(let message) = replies[1] { throw RedisError(message) }
                    return replies[1]
                }
                return try await client.send(command)
            } catch let error as RedisError {
                if let redirect = ClusterRedirect(error) {
                    redirects += 1
                    guard redirects <= settings.maxRedirects else { throw RedisError("too many redirects for slot \(slot): \(error.message)") }
                    switch redirect.kind {
                    case .moved:
                        redirectCounts.withLockedValue { $0.moved += 1 }
                        state.withLockedValue { $0.map?.moved(slot: redirect.slot, to: redirect.host, port: redirect.port) }
                        Task { _ = try? await self.refresh(force: false) }
                    case .ask:
                        redirectCounts.withLockedValue { $0.ask += 1 }
                        asking = (redirect.host, redirect.port)
                    }
                    continue
                }
                guard error.code == "TRYAGAIN" || error.code == "CLUSTERDOWN", retries < settings.retries else { throw error }
                retries += 1
                try await Task.sleep(for: settings.retryDelay)
            } catch let error as RedisConnectionError {
                // The node is gone or unreachable: a failover may be under way.
                retries += 1
                guard retries <= settings.retries else { throw error }
                asking = nil
                try await Task.sleep(for: settings.retryDelay)
                _ = try? await refresh(force: false)
            }
        }
    }

    /// Sends commands, each with its key, split into one pipeline per node (sent concurrently)
    /// and reassembled in order; a command redirected on the way is sent again on its own.
    public func pipeline(_ commands: [(key: String, command: RESPCommand)]) async throws -> [RESPValue] {
        let map = try await slotMap()
        var groups: [String: (host: String, port: Int, indices: [Int])] = [:]
        var unrouted: [Int] = []
        for (index, item) in commands.enumerated() {
            guard let owner = map.primary(forSlot: HashSlot.of(item.key)) else {
                unrouted.append(index)
                continue
            }
            groups["\(owner.host):\(owner.port)", default: (owner.host, owner.port, [])].indices.append(index)
        }
        var replies = [RESPValue](repeating: .null, count: commands.count)
        try await withThrowingTaskGroup(of: [(Int, RESPValue)].self) { group in
            for (_, node) in groups {
                group.addTask {
                    let got = try await self.client(node.host, node.port).pipeline(node.indices.map { commands[$0].command })
                    return Array(zip(node.indices, got))
                }
            }
            for try await part in group { for (index, reply) in part { replies[index] = reply } }
        }
        for index in unrouted { replies[index] = try await send(commands[index].command, key: commands[index].key) }
        for index in replies.indices {
            if case .error(let message) = replies[index], ClusterRedirect(RedisError(message)) != nil || ["TRYAGAIN", "CLUSTERDOWN"].contains(RedisError(message).code) {
                replies[index] = try await send(commands[index].command, key: commands[index].key)
            }
        }
        return replies
    }

    /// Loads the slot map from a known node (`CLUSTER SHARDS`): once at a time, and unless
    /// `force`, at most once per ``Settings/refreshInterval``.
    @discardableResult
    public func refresh(force: Bool) async throws -> ClusterSlotMap {
        enum Source {
            case recent(ClusterSlotMap)
            case loading(Task<ClusterSlotMap, any Error>)
        }
        let source: Source = state.withLockedValue { state in
            if let running = state.refreshing { return .loading(running) }
            // Only a real load counts for the rate limit: asking often must not postpone it.
            if !force, let last = state.lastRefresh, ContinuousClock.now - last < settings.refreshInterval, let map = state.map {
                return .recent(map)
            }
            let known = (state.map?.shards.flatMap(\.nodes).filter { $0.health == "online" }.map { ($0.host, $0.port) } ?? []) + seeds
            let task = Task<ClusterSlotMap, any Error> { try await self.load(from: known) }
            state.refreshing = task
            return .loading(task)
        }
        switch source {
        case .recent(let map):
            return map
        case .loading(let task):
            do {
                let map = try await task.value
                state.withLockedValue { state in
                    state.map = map
                    state.lastRefresh = .now
                    state.refreshing = nil
                }
                return map
            } catch {
                state.withLockedValue { $0.refreshing = nil }
                throw error
            }
        }
    }

    private func load(from nodes: [(host: String, port: Int)]) async throws -> ClusterSlotMap {
        var failures: [String] = []
        for node in nodes {
            do {
                let map = try ClusterSlotMap(clusterShards: try await client(node.host, node.port).send(RESPCommand("CLUSTER", "SHARDS")))
                if map.uncoveredSlots < HashSlot.count { return map }
            } catch {
                failures.append("\(node.host):\(node.port): \(error)")
            }
        }
        throw RedisConnectionError(.connectFailed, "no cluster node gave a slot map: \(failures.prefix(3).joined(separator: "; "))")
    }

    /// The client of one node, made on first use.
    func client(_ host: String, _ port: Int) -> RedisClient {
        state.withLockedValue { state in
            let address = Address(host: host, port: port)
            if let client = state.clients[address] { return client }
            let client = RedisClient(nodeConfiguration(host: host, port: port), reconnectPolicy: reconnectPolicy, logger: logger)
            state.clients[address] = client
            return client
        }
    }

    /// The connection settings for one node (the client's settings with its address).
    public func nodeConfiguration(host: String, port: Int) -> RedisConfiguration {
        var node = configuration
        node.host = host
        node.port = port
        node.database = 0
        return node
    }

    /// The settings of the primary that serves `key`'s slot now (the map refreshed first when it
    /// is older than ``Settings/refreshInterval``), for a dedicated connection such as a blocking
    /// stream read.
    public func nodeConfiguration(forKey key: String) async throws -> RedisConfiguration {
        let map: ClusterSlotMap
        if let fresh = try? await refresh(force: false) { map = fresh } else { map = try await slotMap() }
        guard let owner = map.primary(forSlot: HashSlot.of(key)) else { throw RedisError("CLUSTERDOWN no node serves the slot of \(key)") }
        return nodeConfiguration(host: owner.host, port: owner.port)
    }

    /// The settings of the first seed node (pub/sub reaches every node of a cluster from any one).
    public var seedConfiguration: RedisConfiguration { nodeConfiguration(host: seeds[0].host, port: seeds[0].port) }

    /// Closes every node's connection.
    public func shutdown() async {
        let clients = state.withLockedValue { Array($0.clients.values) }
        for client in clients { await client.shutdown() }
    }
}
