/// Emits `CacheEnvironments.swift` from the platform file: one `CacheEnvironment` per environment,
/// `all`, and `current()` (the environment `CACHEPOLICY_ENVIRONMENT` names). No secret is ever
/// emitted: the platform file cannot hold one (CP900), only where each is read from.
struct EnvironmentsFileEmitter {
    let platform: Platform
    let imports: [String]
    let access: AccessLevel
    let provenance: SwiftEmitter.Provenance

    func emit() -> String {
        var writer = SwiftWriter(access: access)
        writer.doc([
            platform.description ?? "The environments of the platform `\(platform.name.value)`.",
            "Select one with `CacheEnvironments.current()` (the process environment's `CACHEPOLICY_ENVIRONMENT`), then `resolve(service:)` it. \(provenance.source(platform.name.location))",
        ])
        writer.block("public enum CacheEnvironments") { writer in
            for environment in platform.environments {
                emit(environment, &writer)
                writer.line()
            }
            writer.list("public static let all: [CacheEnvironment] = [", platform.environments.map { SwiftNames.identifier($0.name.value.camelCased) }, "]")
            writer.line()
            writer.doc(["The environment named by `CACHEPOLICY_ENVIRONMENT` in `processEnvironment` (an unknown or missing name is an error that lists the known ones)."])
            writer.block("public static func current(_ processEnvironment: [String: String] = ProcessInfo.processInfo.environment) throws -> CacheEnvironment") { writer in
                writer.line("try CacheEnvironment.named(processEnvironment[CacheEnvironment.selector], in: all)")
            }
        }
        return SwiftEmitter.header(source: provenance.path(platform.file), imports: imports, provenance: provenance) + "\n" + writer.text
    }

    private func emit(_ environment: PlatformEnvironment, _ writer: inout SwiftWriter) {
        writer.doc([environment.description ?? "The environment `\(environment.name.value)`.", provenance.source(environment.name.location)])
        var arguments = [
            "name: \(SwiftNames.stringLiteral(environment.name.value))",
            "topology: \(topology(environment.redis.value))",
        ]
        if let tls = environment.tls {
            let fields = [
                tls.ca.map { "ca: \(SwiftNames.stringLiteral($0))" },
                tls.certificate.map { "certificate: \(SwiftNames.stringLiteral($0))" },
                tls.key.map { "key: \(SwiftNames.stringLiteral($0))" },
                tls.serverName.map { "serverName: \(SwiftNames.stringLiteral($0))" },
            ].compactMap { $0 }
            arguments.append("tls: .init(\(fields.joined(separator: ", ")))")
        }
        if let credentials = environment.credentials {
            arguments.append("credentials: .init(user: \(SwiftNames.stringLiteral(credentials.user.value)), password: \(credentials.password.map { source($0.value) } ?? "nil"))")
        }
        if let scale = environment.ttlScale { arguments.append("ttlScale: \(SwiftEmitter.ratio(scale.value))") }
        if let warmup = environment.warmup { arguments.append("warmup: \(warmup.value)") }
        if let alerts = environment.alerts { arguments.append("alerts: \(SwiftEmitter.alertThresholds(alerts))") }
        writer.list("public static let \(SwiftNames.identifier(environment.name.value.camelCased)) = CacheEnvironment(", arguments, ")")
    }

    private func topology(_ topology: RedisTopology) -> String {
        switch topology {
        case .standalone(let url): ".standalone(url: \(source(url)))"
        case .sentinel(let master, let sentinels):
            ".sentinel(masterName: \(SwiftNames.stringLiteral(master)), sentinels: [\(sentinels.map(SwiftNames.stringLiteral).joined(separator: ", "))])"
        case .cluster(let seeds): ".cluster(seeds: [\(seeds.map(SwiftNames.stringLiteral).joined(separator: ", "))])"
        }
    }

    private func source(_ source: ValueSource) -> String {
        switch source {
        case .value(let text): ".value(\(SwiftNames.stringLiteral(text)))"
        case .environment(let name): ".environment(\(SwiftNames.stringLiteral(name)))"
        case .file(let path): ".file(\(SwiftNames.stringLiteral(path)))"
        }
    }
}

extension String {
    /// `load-test` → `loadTest`: an environment's Swift name.
    fileprivate var camelCased: String {
        let words = split(separator: "-")
        guard let first = words.first else { return self }
        return String(first) + words.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }
}
