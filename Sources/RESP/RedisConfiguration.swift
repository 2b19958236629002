import NIOCore

/// Where and how to connect.
public struct RedisConfiguration: Sendable, Hashable {
    public var host: String
    public var port: Int
    /// ACL user; `nil` authenticates as `default` when a password is set.
    public var username: String?
    public var password: String?
    /// `SELECT` this database after connecting (standalone Redis only).
    public var database: Int
    /// `CLIENT SETNAME`, shown in `CLIENT LIST`.
    public var clientName: String?
    public var connectTimeout: Duration
    /// How long a command may wait for its reply before the connection is failed.
    public var commandTimeout: Duration
    /// Ask for RESP3 with `HELLO 3`, falling back to RESP2 when the server does not support it.
    public var preferRESP3: Bool
    public var limits: RESPLimits

    public init(
        host: String = "127.0.0.1", port: Int = 6379, username: String? = nil, password: String? = nil,
        database: Int = 0, clientName: String? = nil, connectTimeout: Duration = .seconds(5),
        commandTimeout: Duration = .seconds(5), preferRESP3: Bool = true, limits: RESPLimits = .default
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.clientName = clientName
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.preferRESP3 = preferRESP3
        self.limits = limits
    }
}
