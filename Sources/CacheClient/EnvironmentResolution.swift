import CacheRuntime
import Foundation
import Logging
import RESP

/// An environment made concrete for one service: secrets read, URLs parsed, TLS and the ACL user
/// applied. Made once at start-up by ``CacheRuntime/CacheEnvironment/resolve(service:processEnvironment:readFile:)``.
public struct ResolvedEnvironment: Sendable, CustomStringConvertible {
    /// How the service reaches Redis.
    public enum Deployment: Sendable, Hashable {
        /// One server, or a Sentinel-managed master (``RESP/RedisConfiguration/sentinel`` is set).
        case single(RedisConfiguration)
        /// A cluster: seed nodes and the settings every node connection uses.
        case cluster(seeds: [ClusterSeed], configuration: RedisConfiguration)
    }

    /// A cluster node to learn the slot map from.
    public struct ClusterSeed: Sendable, Hashable {
        public var host: String
        public var port: Int
    }

    public let environment: CacheEnvironment
    public let service: String
    public let deployment: Deployment

    /// Every TTL is multiplied by this (``CacheClient`` applies it when built with ``makeClient(logger:)``).
    public var ttlScale: Double { environment.ttlScale }
    /// Whether warmup jobs run.
    public var warmup: Bool { environment.warmup }

    /// The connection settings (a cluster's are those of every node).
    public var configuration: RedisConfiguration {
        switch deployment {
        case .single(let configuration), .cluster(_, let configuration): configuration
        }
    }

    /// For a Sentinel deployment, the settings of a replica-role client (reads of `readFrom: replica`
    /// families: `CacheClient(redis:…, replica: RedisClient(configuration))`); `nil` otherwise.
    public var replicaConfiguration: RedisConfiguration? {
        guard case .single(var configuration) = deployment, configuration.sentinel != nil else { return nil }
        configuration.sentinel?.role = .replica
        return configuration
    }

    public var description: String {
        switch deployment {
        case .single(let configuration) where configuration.sentinel != nil:
            "\(service) in \(environment.name): Sentinel master '\(configuration.sentinel!.masterName)' as \(configuration.username ?? "default")"
        case .single(let configuration): "\(service) in \(environment.name): \(configuration)"
        case .cluster(let seeds, let configuration):
            "\(service) in \(environment.name): cluster of \(seeds.count) seed(s) as \(configuration.username ?? "default")"
        }
    }
}

extension ResolvedEnvironment {
    /// The connection the deployment needs: a `RedisClient` (one server, or the Sentinel master) or
    /// a `RedisClusterClient` over the seeds.
    public func makeTransport(logger: Logger = Logger(label: "cachepolicy.redis")) -> any RedisTransport {
        switch deployment {
        case .single(let configuration): RedisClient(configuration, logger: logger)
        case .cluster(let seeds, let configuration):
            RedisClusterClient(seeds: seeds.map { ($0.host, $0.port) }, configuration: configuration, logger: logger)
        }
    }

    /// A cache client as the environment says: its TTL scale, and on a Sentinel deployment a
    /// replica-role client for `readFrom: replica` families.
    public func makeCacheClient(logger: Logger = Logger(label: "cachepolicy.cache")) -> CacheClient {
        CacheClient(
            redis: makeTransport(), logger: logger, ttlScale: ttlScale,
            replica: replicaConfiguration.map { RedisClient($0) })
    }
}

extension CacheEnvironment {
    /// Reads the environment's secrets for `service` and builds its Redis settings. Secrets come
    /// from `processEnvironment` or files (`readFile`), never from the policy; an error names the
    /// variable or file that is missing, never a value.
    public func resolve(
        service: String, processEnvironment: [String: String] = ProcessInfo.processInfo.environment,
        readFile: (String) throws -> String = { try String(contentsOfFile: $0, encoding: .utf8) }
    ) throws -> ResolvedEnvironment {
        func read(_ source: Source, _ what: String) throws -> String {
            switch source {
            case .value(let text):
                return text
            case .environment(let template):
                let name = Self.expand(template, service: service)
                guard let value = processEnvironment[name], !value.isEmpty else {
                    throw EnvironmentError("\(what) of '\(service)' in '\(self.name)' comes from the environment variable \(name), which is not set")
                }
                return value
            case .file(let template):
                let path = Self.expand(template, service: service)
                let contents: String
                do { contents = try readFile(path) } catch {
                    throw EnvironmentError("\(what) of '\(service)' in '\(self.name)' comes from the file \(path), which cannot be read (\(Self.reason(error)))")
                }
                let trimmed = String(contents.reversed().drop { $0 == "\n" || $0 == "\r" }.reversed())
                guard !trimmed.isEmpty else { throw EnvironmentError("\(what) of '\(service)' in '\(self.name)': the file \(path) is empty") }
                return trimmed
            }
        }
        func parse(_ url: String) throws -> RedisConfiguration {
            do { return try RedisConfiguration(url: url) } catch {
                throw EnvironmentError("'\(self.name)': \(error)")
            }
        }
        var base: RedisConfiguration
        var seeds: [ResolvedEnvironment.ClusterSeed]?
        switch topology {
        case .standalone(let url):
            base = try parse(try read(url, "the Redis URL"))
        case .sentinel(let masterName, let sentinels):
            let addresses = try sentinels.map(parse)
            base = RedisConfiguration(tls: addresses[0].tls)
            base.sentinel = SentinelConfiguration(
                sentinels: addresses.map { SentinelConfiguration.Address(host: $0.host, port: $0.port) }, masterName: masterName)
        case .cluster(let urls):
            let nodes = try urls.map(parse)
            base = nodes[0]
            seeds = nodes.map { ResolvedEnvironment.ClusterSeed(host: $0.host, port: $0.port) }
        }
        if let tls {
            var settings = base.tls ?? TLSSettings()
            settings.caFile = tls.ca.map { Self.expand($0, service: service) } ?? settings.caFile
            settings.certificateFile = tls.certificate.map { Self.expand($0, service: service) } ?? settings.certificateFile
            settings.keyFile = tls.key.map { Self.expand($0, service: service) } ?? settings.keyFile
            settings.serverName = tls.serverName ?? settings.serverName
            base.tls = settings
        }
        if let credentials {
            base.username = Self.expand(credentials.user, service: service)
            base.password = try credentials.password.map { try read($0, "the password") }
        }
        base.clientName = base.clientName ?? "cachepolicy-\(service)"
        let deployment: ResolvedEnvironment.Deployment = seeds.map { .cluster(seeds: $0, configuration: base) } ?? .single(base)
        return ResolvedEnvironment(environment: self, service: service, deployment: deployment)
    }

    private static func reason(_ error: any Error) -> String {
        let error = error as NSError
        if error.domain == NSCocoaErrorDomain, let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError,
           underlying.domain == NSPOSIXErrorDomain, let code = POSIXErrorCode(rawValue: Int32(underlying.code)) {
            return String(cString: strerror(code.rawValue))
        }
        return error.localizedDescription
    }
}
