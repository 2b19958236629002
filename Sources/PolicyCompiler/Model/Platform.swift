import Foundation

/// The platform file (`policies/platform.yaml`): how each environment reaches Redis, which ACL user
/// each service is, and what an environment overrides. Secrets are never in it: it names the
/// environment variables or files they come from.
public struct Platform: Sendable {
    public var file: String
    public var name: Located<String>
    public var description: String?
    public var environments: [PlatformEnvironment]
}

/// One environment (`dev`, `staging`, `prod`).
public struct PlatformEnvironment: Sendable {
    public var name: Located<String>
    public var description: String?
    public var redis: Located<RedisTopology>
    /// TLS settings; TLS is also on when the URLs are `rediss://`.
    public var tls: PlatformTLS?
    public var credentials: PlatformCredentials?
    /// Every TTL is multiplied by this (e.g. 10% in dev, so entries turn over while testing).
    public var ttlScale: Located<Percent>?
    /// Whether warmup jobs run in this environment (default: yes).
    public var warmup: Located<Bool>?
    /// Thresholds that replace every service's own (only those given).
    public var alerts: Alerts?
}

/// Where a value comes from: written in the policy (never a secret), or read at start-up.
public enum ValueSource: Sendable, Hashable {
    case value(String)
    /// An environment variable; `{service}` and `{SERVICE}` in the name are the service's name.
    case environment(String)
    /// A file's contents without a trailing newline; `{service}` in the path is the service's name.
    case file(String)
}

/// How an environment reaches Redis. URLs are `redis://host:port[/db]` or `rediss://…`.
public enum RedisTopology: Sendable, Hashable {
    case standalone(url: ValueSource)
    case sentinel(masterName: String, sentinels: [String])
    case cluster(seeds: [String])

    /// Every URL written in the policy (an environment variable's value is only known at start-up).
    public var literalURLs: [String] {
        switch self {
        case .standalone(.value(let url)): [url]
        case .standalone: []
        case .sentinel(_, let urls), .cluster(let urls): urls
        }
    }
}

/// TLS: the CA that signs the servers' certificates, an optional client certificate, and the name
/// the certificates carry when it is not the host name.
public struct PlatformTLS: Sendable, Hashable {
    public var ca: String?
    public var certificate: String?
    public var key: String?
    public var serverName: String?
}

/// The ACL user each service connects as: a name template (`cachepolicy-{service}`) and where the
/// password is read from.
public struct PlatformCredentials: Sendable {
    public static let defaultUser = "cachepolicy-{service}"
    public var user: Located<String>
    public var password: Located<ValueSource>?

    /// `{service}` → the service name, `{SERVICE}` → the name upper-cased with `-` as `_`.
    public static func expand(_ template: String, service: String) -> String {
        template.replacingOccurrences(of: "{service}", with: service)
            .replacingOccurrences(of: "{SERVICE}", with: environmentName(service))
    }

    /// `bill-pay` → `BILL_PAY`.
    public static func environmentName(_ service: String) -> String {
        String(service.uppercased().map { $0 == "-" ? "_" : $0 })
    }

    /// The user name of one service.
    public func user(for service: String) -> String { Self.expand(user.value, service: service) }
}
