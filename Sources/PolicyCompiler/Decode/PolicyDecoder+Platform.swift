extension PolicyDecoder {
    /// Whether a file's root declares a platform (`platform:`) rather than a service.
    static func isPlatform(_ root: Node) -> Bool {
        guard case .mapping(let pairs) = root.kind else { return false }
        return pairs.contains { $0.key == "platform" } && !pairs.contains { $0.key == "service" }
    }

    /// Decodes the platform file. Returns `nil` only when it is not a mapping at all.
    public mutating func decodePlatform(_ root: Node) -> Platform? {
        guard let fields = fields(root, "the platform file", PolicyFields.platform) else {
            return nil
        }
        if let node = fields["version"], let value = int(node, "'version'", in: 0...Int.max), value.value != Self.supportedVersion {
            diagnostics.report(
                .invalidValue, at: node.location, "policy language version \(value.value) is not supported",
                hint: "this compiler reads 'version: \(Self.supportedVersion)'")
        }
        if !GeneratedNames.isPlatformFile(file) {
            diagnostics.report(
                .platformFile, at: root.location, "a platform file must be named platform.yaml, not '\(file.split(separator: "/").last ?? "")'",
                hint: "rename the file: generated file names follow policy file names, and the build plugin predicts them")
        }
        let name = fields["platform"].flatMap { identifier($0, "the platform name", .service) } ?? Located("platform", at: root.location)
        var environments: [PlatformEnvironment] = []
        if let node = fields["environments"], let pairs = mapping(node, "'environments'") {
            if pairs.isEmpty {
                diagnostics.report(.missingField, at: node.location, "'environments' declares no environment", hint: "declare at least one, e.g. 'dev:'")
            }
            for pair in pairs {
                let environmentName = Located(pair.key, at: pair.keyLocation)
                guard checkIdentifier(environmentName, "the environment", .service) else { continue }
                if ["all", "current"].contains(pair.key) {
                    diagnostics.report(
                        .reservedName, at: pair.keyLocation, "an environment cannot be called '\(pair.key)': CacheEnvironments.\(pair.key) is generated",
                        hint: "rename the environment, e.g. '\(pair.key)-env'")
                    continue
                }
                guard let environment = decodeEnvironment(pair.value, name: environmentName)
                else { continue }
                environments.append(environment)
            }
        }
        return Platform(
            file: file, name: name, description: fields["description"].flatMap { string($0, "'description'")?.value },
            environments: environments)
    }

    private mutating func decodeEnvironment(_ node: Node, name: Located<String>) -> PlatformEnvironment? {
        let what = "the environment '\(name.value)'"
        guard let fields = fields(node, what, PolicyFields.environment),
              let redisNode = fields["redis"], let redis = decodeTopology(redisNode, in: what)
        else { return nil }
        var environment = PlatformEnvironment(
            name: name, description: fields["description"].flatMap { string($0, "'description'")?.value }, redis: redis)
        if let node = fields["tls"], let tls = self.fields(node, "'tls' of \(what)", PolicyFields.tls) {
            environment.tls = PlatformTLS(
                ca: tls["ca"].flatMap { string($0, "'tls.ca'")?.value },
                certificate: tls["cert"].flatMap { string($0, "'tls.cert'")?.value },
                key: tls["key"].flatMap { string($0, "'tls.key'")?.value },
                serverName: tls["serverName"].flatMap { string($0, "'tls.serverName'")?.value })
            if (tls["cert"] == nil) != (tls["key"] == nil) {
                diagnostics.report(
                    .missingField, at: node.location, "'tls' of \(what) needs both 'cert' and 'key' for a client certificate",
                    hint: "give both, or neither")
            }
        }
        if let node = fields["credentials"], let credentials = self.fields(node, "'credentials' of \(what)", PolicyFields.credentials) {
            let user = credentials["user"].flatMap { string($0, "'credentials.user'") }
                ?? Located(PlatformCredentials.defaultUser, at: node.location)
            if !user.value.contains("{service}") {
                diagnostics.report(
                    .sharedACLUser, at: user.location,
                    "every service of \(what) would connect as the ACL user '\(user.value)'",
                    hint: "put '{service}' in the name, e.g. 'cachepolicy-{service}', so each service reaches only its own keys")
            }
            environment.credentials = PlatformCredentials(
                user: user, password: credentials["password"].flatMap { secret($0, "'credentials.password' of \(what)") })
        }
        if let node = fields["ttlScale"], let scale = percentage(node, "'ttlScale'") {
            if PolicyFields.ttlScale.contains(scale.value.ratio) {
                environment.ttlScale = scale
            } else {
                diagnostics.report(
                    .invalidValue, at: node.location, "'ttlScale' must be above 0% and at most 100000%, found \(scale.value)",
                    hint: "100% keeps the policies' TTLs; 10% makes every entry expire ten times sooner")
            }
        }
        environment.warmup = fields["warmup"].flatMap { bool($0, "'warmup'") }
        if let node = fields["alerts"] { environment.alerts = decodeAlerts(node) }
        return environment
    }

    /// `redis://…` (standalone), `{ url: … }`, `{ url: { env: NAME } }`, `{ sentinel: { master, nodes } }`
    /// or `{ cluster: { seeds } }`.
    private mutating func decodeTopology(_ node: Node, in what: String) -> Located<RedisTopology>? {
        if node.scalar != nil {
            guard let url = redisURL(node, "'redis' of \(what)") else { return nil }
            return Located(.standalone(url: .value(url)), at: node.location)
        }
        guard let fields = fields(node, "'redis' of \(what)", PolicyFields.redis) else { return nil }
        let given = PolicyFields.redis.known.filter { fields.value(named: $0) != nil }
        guard given.count == 1 else {
            diagnostics.report(
                given.isEmpty ? .missingField : .invalidValue, at: node.location,
                given.isEmpty ? "'redis' of \(what) needs one of 'url', 'sentinel' or 'cluster'"
                    : "'redis' of \(what) has \(given.map { "'\($0)'" }.joined(separator: " and ")); an environment has one topology",
                hint: "e.g. 'redis: redis://127.0.0.1:6379'")
            return nil
        }
        switch given[0] {
        case "url":
            let urlNode = fields["url"]!
            if urlNode.scalar != nil {
                return redisURL(urlNode, "'redis.url' of \(what)").map { Located(.standalone(url: .value($0)), at: node.location) }
            }
            guard let source = secret(urlNode, "'redis.url' of \(what)") else { return nil }
            return Located(.standalone(url: source.value), at: node.location)
        case "sentinel":
            guard let sentinel = self.fields(fields["sentinel"]!, "'redis.sentinel' of \(what)", PolicyFields.sentinel),
                  let master = sentinel["master"].flatMap({ string($0, "'sentinel.master'") }),
                  let nodes = sentinel["nodes"].flatMap({ urls($0, "'sentinel.nodes' of \(what)") })
            else { return nil }
            return Located(.sentinel(masterName: master.value, sentinels: nodes), at: node.location)
        default:
            guard let cluster = self.fields(fields["cluster"]!, "'redis.cluster' of \(what)", PolicyFields.cluster),
                  let seeds = cluster["seeds"].flatMap({ urls($0, "'cluster.seeds' of \(what)") })
            else { return nil }
            return Located(.cluster(seeds: seeds), at: node.location)
        }
    }

    private mutating func urls(_ node: Node, _ what: String) -> [String]? {
        guard let items = list(node, what) else { return nil }
        if items.isEmpty {
            diagnostics.report(.missingField, at: node.location, "\(what) lists no node", hint: "list at least one 'redis://host:port'")
            return nil
        }
        let urls = items.compactMap { redisURL($0, "an entry of \(what)") }
        return urls.count == items.count ? urls : nil
    }

    /// A Redis URL written in the policy: checked by ``RedisURLSyntax``, and never with a password.
    private mutating func redisURL(_ node: Node, _ what: @autoclosure () -> String) -> String? {
        guard let text = string(node, what()) else { return nil }
        switch RedisURLSyntax.check(text.value) {
        case .valid:
            return text.value
        case .hasCredentials:
            diagnostics.report(
                .secretInPolicy, at: node.location, "\(what()) contains credentials; secrets are never written in a policy",
                hint: "remove 'user:password@' and declare 'credentials: { password: { env: NAME } }'")
        case .invalid(let reason):
            diagnostics.report(.invalidRedisURL, at: node.location, "\(what()) is not a Redis URL: \(reason)", hint: "write redis://host:port or rediss://host:port")
        }
        return nil
    }

    /// `{ env: NAME }` or `{ file: PATH }`. A value written in place is refused: it would be a secret
    /// checked into the repository.
    private mutating func secret(_ node: Node, _ what: String) -> Located<ValueSource>? {
        if node.scalar != nil {
            diagnostics.report(
                .secretInPolicy, at: node.location, "\(what) is written in the policy; secrets are never written in a policy",
                hint: "read it at start-up: '{ env: CACHEPOLICY_{SERVICE}_PASSWORD }' or '{ file: /run/secrets/{service} }'")
            return nil
        }
        guard let fields = fields(node, what, PolicyFields.secret) else { return nil }
        switch (fields["env"], fields["file"]) {
        case (let env?, nil):
            guard let name = string(env, "'env' of \(what)") else { return nil }
            let sample = PlatformCredentials.expand(name.value, service: "service")
            guard !sample.isEmpty, sample.utf8.allSatisfy({ ($0 >= 65 && $0 <= 90) || ($0 >= 48 && $0 <= 57) || $0 == 95 }),
                  !(sample.utf8.first! >= 48 && sample.utf8.first! <= 57)
            else {
                diagnostics.report(
                    .invalidValue, at: name.location, "'\(name.value)' is not an environment variable name",
                    hint: "use upper-case letters, digits and '_', optionally with {SERVICE}: CACHEPOLICY_{SERVICE}_PASSWORD")
                return nil
            }
            return Located(.environment(name.value), at: node.location)
        case (nil, let file?):
            guard let path = string(file, "'file' of \(what)"), !path.value.isEmpty else { return nil }
            return Located(.file(path.value), at: node.location)
        default:
            diagnostics.report(
                .missingField, at: node.location, "\(what) needs exactly one of 'env' and 'file'",
                hint: "e.g. '{ env: CACHEPOLICY_{SERVICE}_PASSWORD }'")
            return nil
        }
    }
}

/// The shape of a Redis URL as far as the compiler judges it (the runtime parses it fully):
/// `redis://` or `rediss://`, a host, an optional port from 1 to 65535 and database number.
enum RedisURLSyntax {
    enum Verdict: Equatable {
        case valid, hasCredentials
        case invalid(String)
    }

    static func check(_ url: String) -> Verdict {
        let schemes = ["redis://", "rediss://"]
        guard let scheme = schemes.first(where: { url.lowercased().hasPrefix($0) }) else {
            return .invalid("it does not start with redis:// or rediss://")
        }
        var rest = Substring(url.dropFirst(scheme.count))
        if rest.contains("?") { return .invalid("query parameters are not read here; give TLS files under 'tls:'") }
        if let slash = rest.firstIndex(of: "/") {
            let database = rest[rest.index(after: slash)...]
            guard database.isEmpty || (Int(database).map { $0 >= 0 } ?? false) else { return .invalid("'/\(database)' is not a database number") }
            rest = rest[..<slash]
        }
        if rest.contains("@") { return .hasCredentials }
        var host = rest
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return .invalid("an IPv6 host lacks its ']'") }
            host = rest[rest.index(after: rest.startIndex)..<close]
            rest = rest[rest.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":"), let port = Int(rest.dropFirst()), (1...65535).contains(port) else { return .invalid("the port is not a number from 1 to 65535") }
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            guard let port = Int(rest[rest.index(after: colon)...]), (1...65535).contains(port) else { return .invalid("the port is not a number from 1 to 65535") }
        }
        guard !host.isEmpty else { return .invalid("it has no host") }
        guard !host.contains(where: { $0 == " " || $0 == "/" || $0 == "\t" }) else { return .invalid("the host '\(host)' is not a host name") }
        return .valid
    }
}
