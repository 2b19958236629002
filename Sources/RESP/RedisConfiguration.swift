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
    /// TLS (`rediss://`); `nil` for plain TCP.
    public var tls: TLSSettings?
    /// A Sentinel-managed master: `host` and `port` are then resolved through the sentinels on
    /// every connect (see ``SentinelConfiguration``).
    public var sentinel: SentinelConfiguration?

    public init(
        host: String = "127.0.0.1", port: Int = 6379, username: String? = nil, password: String? = nil,
        database: Int = 0, clientName: String? = nil, connectTimeout: Duration = .seconds(5),
        commandTimeout: Duration = .seconds(5), preferRESP3: Bool = true, limits: RESPLimits = .default, tls: TLSSettings? = nil
    ) {
        self.tls = tls
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

extension RedisConfiguration: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// `redis://user:***@host:port/db`: never the password.
    public var description: String {
        let user = username.map { Self.percentEncodedUser($0) } ?? ""
        let credentials = password == nil ? (user.isEmpty ? "" : user + "@") : user + ":***@"
        let address = host.contains(":") ? "[\(host)]" : host
        if let sentinel {
            return "\(tls == nil ? "redis" : "rediss")://\(credentials)sentinel(\(sentinel.sentinels.map(\.description).joined(separator: ",")))/\(sentinel.masterName)/\(database)"
        }
        return "\(tls == nil ? "redis" : "rediss")://\(credentials)\(address):\(port)/\(database)"
    }

    public var debugDescription: String { "RedisConfiguration(\(description))" }

    /// What `dump` and debuggers show: the fields, with the password masked.
    public var customMirror: Mirror {
        Mirror(self, children: [
            "host": host, "port": port, "username": username as Any, "password": (password == nil ? "nil" : "***") as Any,
            "database": database, "clientName": clientName as Any, "connectTimeout": connectTimeout, "commandTimeout": commandTimeout,
            "preferRESP3": preferRESP3, "tls": tls as Any,
        ])
    }

    /// A URL with its password replaced by `***` (for messages about it).
    public static func redacted(_ url: String) -> String {
        let characters = Array(url)
        var start = 0
        while start + 2 < characters.count, !(characters[start] == ":" && characters[start + 1] == "/" && characters[start + 2] == "/") { start += 1 }
        guard start + 2 < characters.count else { return url }
        let userInfoStart = start + 3
        guard let at = characters[userInfoStart...].firstIndex(of: "@"),
              let colon = characters[userInfoStart..<at].firstIndex(of: ":")
        else { return url }
        return String(characters[..<colon]) + ":***" + String(characters[at...])
    }

    private static func percentEncodedUser(_ user: String) -> String {
        let hex = Array("0123456789ABCDEF")
        var out = ""
        for byte in user.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 0xF)])
            }
        }
        return out
    }
}

extension RedisConfiguration {
    /// A URL is not a Redis URL this client can use.
    public struct URLError: Error, Sendable, Hashable, CustomStringConvertible {
        public let description: String
    }

    /// Parses `redis://[user[:password]@]host[:port][/database]` (user and password
    /// percent-encoded, an IPv6 host in brackets), or `rediss://…` for TLS, whose query may name
    /// `ca`, `cert`, `key` (PEM files) and `server-name` (see ``TLSSettings``); every other setting
    /// keeps its default. An unknown query parameter is an error, not ignored.
    public init(url: String) throws {
        func fail(_ reason: String) -> URLError { URLError(description: "'\(Self.redacted(url))' is not a Redis URL: \(reason)") }
        guard let colon = url.firstIndex(of: ":"), url[colon...].hasPrefix("://") else { throw fail("it has no scheme (redis://host:port)") }
        let schemeEnd = url.index(colon, offsetBy: 3)
        var tls: TLSSettings?
        switch url[..<colon].lowercased() {
        case "redis": break
        case "rediss": tls = TLSSettings()
        case let other: throw fail("the scheme '\(other)' is not redis:// or rediss://")
        }
        var rest = url[schemeEnd...]
        if let fragment = rest.firstIndex(of: "#") { rest = rest[..<fragment] }
        if let mark = rest.firstIndex(of: "?") {
            for pair in rest[rest.index(after: mark)...].split(separator: "&") {
                let name = pair.prefix { $0 != "=" }
                guard name.count < pair.count, let value = Self.percentDecoded(pair.dropFirst(name.count + 1)) else {
                    throw fail("the query parameter '\(name)' has no valid value")
                }
                guard tls != nil else { throw fail("'\(name)' is a TLS setting: use rediss://") }
                switch name {
                case "ca": tls?.caFile = value
                case "cert": tls?.certificateFile = value
                case "key": tls?.keyFile = value
                case "server-name": tls?.serverName = value
                default: throw fail("unknown query parameter '\(name)' (rediss:// takes ca, cert, key, server-name)")
                }
            }
            rest = rest[..<mark]
        }
        var path = Substring("")
        if let slash = rest.firstIndex(of: "/") {
            path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
        }
        var username: String?
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            let user = userInfo.prefix { $0 != ":" }
            guard let decodedUser = Self.percentDecoded(user) else { throw fail("the user name is not valid percent-encoding") }
            username = decodedUser.isEmpty ? nil : decodedUser
            if user.endIndex < userInfo.endIndex {
                guard let decoded = Self.percentDecoded(userInfo[userInfo.index(after: user.endIndex)...]) else {
                    throw fail("the password is not valid percent-encoding")
                }
                password = decoded
            }
        }
        var host = rest
        var port = 6379
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw fail("an IPv6 host lacks its ']'") }
            host = rest[rest.index(after: rest.startIndex)..<close]
            rest = rest[rest.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { throw fail("unexpected text after the IPv6 host") }
                guard let value = Int(rest.dropFirst()), (1...65535).contains(value) else { throw fail("the port is not a number from 1 to 65535") }
                port = value
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            guard let value = Int(rest[rest.index(after: colon)...]), (1...65535).contains(value) else {
                throw fail("the port is not a number from 1 to 65535")
            }
            port = value
        }
        guard !host.isEmpty else { throw fail("it has no host") }
        var database = 0
        if !path.isEmpty {
            guard let value = Int(path), value >= 0 else { throw fail("the path '/\(path)' is not a database number") }
            database = value
        }
        self.init(host: String(host), port: port, username: username, password: password, database: database, tls: tls)
    }

    private static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
