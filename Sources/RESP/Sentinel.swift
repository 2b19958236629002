import NIOConcurrencyHelpers

/// A master that Redis Sentinel watches: the client asks the sentinels where it is.
public struct SentinelConfiguration: Sendable, Hashable {
    public struct Address: Sendable, Hashable, CustomStringConvertible {
        public var host: String
        public var port: Int

        public init(host: String, port: Int = 26379) {
            self.host = host
            self.port = port
        }

        public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    public var sentinels: [Address]
    /// The name the sentinels monitor the master under (`sentinel monitor <name> …`).
    public var masterName: String
    /// Credentials of the sentinels themselves (`requirepass` / ACL on the sentinels), if any.
    public var username: String?
    public var password: String?
    /// How long to wait for one sentinel before asking the next.
    public var timeout: Duration
    /// Which server of the group to connect to: the master (the default), or one of its replicas
    /// (read-only; for families declared `readFrom: replica`).
    public var role: Role

    public enum Role: Sendable, Hashable {
        case master, replica
    }

    public init(
        sentinels: [Address], masterName: String, username: String? = nil, password: String? = nil, timeout: Duration = .milliseconds(500),
        role: Role = .master
    ) {
        self.role = role
        self.sentinels = sentinels
        self.masterName = masterName
        self.username = username
        self.password = password
        self.timeout = timeout
    }
}

/// The Sentinel client protocol (https://redis.io/docs/latest/develop/reference/sentinel-clients/):
/// ask each sentinel in turn, with a short timeout, for the master's address
/// (`SENTINEL GET-MASTER-ADDR-BY-NAME`); move the one that answered to the front; connect and verify
/// with `ROLE` that the server is a master (a sentinel may not have seen a failover yet). Every
/// (re)connect resolves again, so a failover is followed as soon as a sentinel reports it.
enum SentinelResolver {
    /// The sentinel that answered last, tried first next time (per master name).
    private static let preferred = LockedDictionary<String, SentinelConfiguration.Address>()

    static func connectToMaster(
        _ configuration: RedisConfiguration, _ sentinel: SentinelConfiguration,
        connect: (RedisConfiguration) async throws -> RedisConnection
    ) async throws -> RedisConnection {
        var order = sentinel.sentinels
        if let first = preferred[sentinel.masterName], let index = order.firstIndex(of: first) { order.insert(order.remove(at: index), at: 0) }
        var failures: [String] = []
        for address in order {
            do {
                let (host, port) = try await ask(address, sentinel, configuration)
                preferred[sentinel.masterName] = address
                var target = configuration
                target.sentinel = nil
                target.host = host
                target.port = port
                let connection = try await connect(target)
                let role = try await connection.send(RESPCommand("ROLE"))
                guard role.elements?.first?.string == "master" else {
                    await connection.close()
                    failures.append("\(address) named \(host):\(port), which is not a master (yet)")
                    continue
                }
                return connection
            } catch {
                failures.append("\(address): \(error)")
            }
        }
        throw RedisConnectionError(
            .connectFailed, "no sentinel gave a reachable master for '\(sentinel.masterName)': \(failures.joined(separator: "; "))")
    }

    /// A replica of the master, by the same protocol: each sentinel in turn lists the replicas
    /// (`SENTINEL REPLICAS`); those it sees up with their link to the master `ok` are tried in random
    /// order (spreading readers), and each is verified with `ROLE` before use.
    static func connectToReplica(
        _ configuration: RedisConfiguration, _ sentinel: SentinelConfiguration,
        connect: (RedisConfiguration) async throws -> RedisConnection
    ) async throws -> RedisConnection {
        var failures: [String] = []
        for address in sentinel.sentinels {
            do {
                let replicas = try await healthyReplicas(address, sentinel, configuration).shuffled()
                if replicas.isEmpty { failures.append("\(address) sees no healthy replica") }
                for (host, port) in replicas {
                    var target = configuration
                    target.sentinel = nil
                    target.host = host
                    target.port = port
                    do {
                        let connection = try await connect(target)
                        let role = try await connection.send(RESPCommand("ROLE"))
                        if role.elements?.first?.string == "slave" { return connection }
                        await connection.close()
                        failures.append("\(host):\(port) is not a replica (any more)")
                    } catch {
                        failures.append("\(host):\(port): \(error)")
                    }
                }
            } catch {
                failures.append("\(address): \(error)")
            }
        }
        throw RedisConnectionError(
            .connectFailed, "no sentinel gave a reachable replica of '\(sentinel.masterName)': \(failures.joined(separator: "; "))")
    }

    /// The replicas one sentinel sees up and in sync: not subjectively or objectively down, not
    /// disconnected, `master-link-status` ok.
    private static func healthyReplicas(
        _ address: SentinelConfiguration.Address, _ sentinel: SentinelConfiguration, _ configuration: RedisConfiguration
    ) async throws -> [(String, Int)] {
        let connection = try await sentinelConnection(address, sentinel, configuration)
        defer { Task { await connection.close() } }
        let reply = try await connection.send(RESPCommand("SENTINEL", "REPLICAS", sentinel.masterName))
        guard let entries = reply.elements else { throw RedisError("the sentinel does not know the master '\(sentinel.masterName)' (\(reply.kindDescription))") }
        return entries.compactMap { entry -> (String, Int)? in
            var fields: [String: String] = [:]
            if let flat = entry.elements {
                for index in stride(from: 0, to: flat.count - 1, by: 2) {
                    if let name = flat[index].string, let value = flat[index + 1].string { fields[name] = value }
                }
            }
            let flags = Set((fields["flags"] ?? "").split(separator: ","))
            guard flags.isDisjoint(with: ["s_down", "o_down", "disconnected"]), fields["master-link-status"] == "ok",
                  let host = fields["ip"], let port = fields["port"].flatMap(Int.init)
            else { return nil }
            return (host, port)
        }
    }

    private static func sentinelConnection(
        _ address: SentinelConfiguration.Address, _ sentinel: SentinelConfiguration, _ configuration: RedisConfiguration
    ) async throws -> RedisConnection {
        var sentinelConfiguration = RedisConfiguration(
            host: address.host, port: address.port, username: sentinel.username, password: sentinel.password,
            connectTimeout: sentinel.timeout, commandTimeout: sentinel.timeout, preferRESP3: false, tls: configuration.tls)
        sentinelConfiguration.clientName = configuration.clientName
        return try await RedisConnection.connect(sentinelConfiguration)
    }

    /// One sentinel's answer: the master's host and port.
    private static func ask(
        _ address: SentinelConfiguration.Address, _ sentinel: SentinelConfiguration, _ configuration: RedisConfiguration
    ) async throws -> (String, Int) {
        let connection = try await sentinelConnection(address, sentinel, configuration)
        defer { Task { await connection.close() } }
        let reply = try await connection.send(RESPCommand("SENTINEL", "GET-MASTER-ADDR-BY-NAME", sentinel.masterName))
        guard let parts = reply.elements, parts.count == 2, let host = parts[0].string, let port = parts[1].string.flatMap(Int.init) else {
            throw RedisError("the sentinel does not know the master '\(sentinel.masterName)' (\(reply.kindDescription))")
        }
        return (host, port)
    }
}

/// A small locked dictionary (the resolver's memory of which sentinel answered).
final class LockedDictionary<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let storage = NIOLockedValueBox([Key: Value]())

    subscript(key: Key) -> Value? {
        get { storage.withLockedValue { $0[key] } }
        set { storage.withLockedValue { $0[key] = newValue } }
    }
}
