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

    public init(sentinels: [Address], masterName: String, username: String? = nil, password: String? = nil, timeout: Duration = .milliseconds(500)) {
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

    /// One sentinel's answer: the master's host and port.
    private static func ask(
        _ address: SentinelConfiguration.Address, _ sentinel: SentinelConfiguration, _ configuration: RedisConfiguration
    ) async throws -> (String, Int) {
        var sentinelConfiguration = RedisConfiguration(
            host: address.host, port: address.port, username: sentinel.username, password: sentinel.password,
            connectTimeout: sentinel.timeout, commandTimeout: sentinel.timeout, preferRESP3: false, tls: configuration.tls)
        sentinelConfiguration.clientName = configuration.clientName
        let connection = try await RedisConnection.connect(sentinelConfiguration)
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
