/// One environment of the platform (`policies/platform.yaml`), as generated into
/// `CacheEnvironments`: how it reaches Redis, the ACL user each service connects as, and what it
/// overrides. It holds no secret, only where each one is read from at start-up (CacheClient's
/// `CacheEnvironment.resolve(service:…)` reads them).
public struct CacheEnvironment: Sendable, Hashable {
    /// Where a value comes from.
    public enum Source: Sendable, Hashable {
        case value(String)
        /// An environment variable; `{service}` / `{SERVICE}` in the name stand for the service.
        case environment(String)
        /// A file's contents without trailing newlines; `{service}` in the path stands for the service.
        case file(String)
    }

    /// How the environment reaches Redis; addresses are `redis://` or `rediss://` URLs.
    public enum Topology: Sendable, Hashable {
        case standalone(url: Source)
        case sentinel(masterName: String, sentinels: [String])
        case cluster(seeds: [String])
    }

    /// PEM files and the name the servers' certificates carry.
    public struct TLS: Sendable, Hashable {
        public var ca: String?
        public var certificate: String?
        public var key: String?
        public var serverName: String?

        public init(ca: String? = nil, certificate: String? = nil, key: String? = nil, serverName: String? = nil) {
            self.ca = ca
            self.certificate = certificate
            self.key = key
            self.serverName = serverName
        }
    }

    /// The ACL user of each service (`user` is a template with `{service}`) and its password's source.
    public struct Credentials: Sendable, Hashable {
        public var user: String
        public var password: Source?

        public init(user: String, password: Source?) {
            self.user = user
            self.password = password
        }
    }

    public let name: String
    public let topology: Topology
    public let tls: TLS?
    public let credentials: Credentials?
    /// Every TTL is multiplied by this (1 keeps the policies' TTLs).
    public let ttlScale: Double
    /// Whether warmup jobs run in this environment.
    public let warmup: Bool
    /// Thresholds that replace each service's own; `nil` fields keep the service's.
    public let alerts: AlertThresholds?

    public init(
        name: String, topology: Topology, tls: TLS? = nil, credentials: Credentials? = nil, ttlScale: Double = 1,
        warmup: Bool = true, alerts: AlertThresholds? = nil
    ) {
        self.name = name
        self.topology = topology
        self.tls = tls
        self.credentials = credentials
        self.ttlScale = ttlScale
        self.warmup = warmup
        self.alerts = alerts
    }

    /// The process environment variable that names the environment a service runs in.
    public static let selector = "CACHEPOLICY_ENVIRONMENT"

    /// The environment called `name` (the value of ``selector``).
    public static func named(_ name: String?, in environments: [CacheEnvironment]) throws -> CacheEnvironment {
        let known = environments.map(\.name).joined(separator: ", ")
        guard let name, !name.isEmpty else {
            throw EnvironmentError("\(selector) is not set; set it to one of: \(known)")
        }
        guard let environment = environments.first(where: { $0.name == name }) else {
            throw EnvironmentError("\(selector) names '\(name)', which the platform file does not declare; known: \(known)")
        }
        return environment
    }

    /// `{service}` → the service, `{SERVICE}` → the service upper-cased with `-` as `_`.
    public static func expand(_ template: String, service: String) -> String {
        let upper = String(service.uppercased().map { $0 == "-" ? "_" : $0 })
        var result = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            result += rest[..<open]
            let tail = rest[open...]
            if tail.hasPrefix("{service}") {
                result += service
                rest = tail.dropFirst("{service}".count)
            } else if tail.hasPrefix("{SERVICE}") {
                result += upper
                rest = tail.dropFirst("{SERVICE}".count)
            } else {
                result.append("{")
                rest = tail.dropFirst()
            }
        }
        return result + rest
    }

    /// The service's alert thresholds in this environment: the environment's where it gives one.
    public func alerts(overriding service: AlertThresholds) -> AlertThresholds {
        guard let alerts else { return service }
        return AlertThresholds(
            hitRateBelow: alerts.hitRateBelow ?? service.hitRateBelow,
            memoryAbove: alerts.memoryAbove ?? service.memoryAbove,
            latencyAbove: alerts.latencyAbove ?? service.latencyAbove,
            errorRateAbove: alerts.errorRateAbove ?? service.errorRateAbove,
            holdFor: service.holdFor.merging(alerts.holdFor) { _, environment in environment })
    }
}

/// The environment cannot be set up: which variable, file or URL is wrong (never a secret's value).
public struct EnvironmentError: Error, Sendable, Hashable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }
}
