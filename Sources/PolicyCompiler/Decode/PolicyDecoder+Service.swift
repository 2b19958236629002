extension PolicyDecoder {
    /// The only language version this compiler reads.
    public static let supportedVersion = 1

    /// Decodes a whole policy file. Returns `nil` only when the file is not a mapping at all;
    /// otherwise every section that could be read is kept, so that later checks still run.
    public mutating func decodeService(_ root: Node) -> Service? {
        guard let fields = fields(root, "the policy", PolicyFields.topLevel) else {
            return nil
        }
        var version = Located(Self.supportedVersion, at: root.location)
        if let node = fields["version"], let value = int(node, "'version'", in: 0...Int.max) {
            if value.value != Self.supportedVersion {
                diagnostics.report(
                    .invalidValue, at: node.location, "policy language version \(value.value) is not supported",
                    hint: "this compiler reads 'version: \(Self.supportedVersion)'")
            }
            version = value
        }
        var name = Located(Self.serviceName(fromFile: file), at: root.location)
        if let node = fields["service"], let value = identifier(node, "the service name", .service) {
            name = value
        }
        var service = Service(
            file: file, name: name, version: version,
            description: fields["description"].flatMap { string($0, "'description'")?.value },
            port: fields["port"].flatMap { int($0, "'port'", in: PolicyFields.port) },
            memory: fields["memory"].flatMap { size($0, "'memory'") },
            defaults: fields["defaults"].map { decodeDefaults($0) } ?? Defaults(),
            params: [], keys: [], events: [], invalidations: [], warmups: [], alerts: Alerts())
        if let node = fields["params"] { service.params = decodeParams(node) }
        if let node = fields["keys"] { service.keys = decodeKeys(node, defaults: service.defaults) }
        if let node = fields["events"] { service.events = decodeEvents(node) }
        if let node = fields["invalidate"] { service.invalidations = decodeInvalidations(node) }
        if let node = fields["warmup"] { service.warmups = decodeWarmups(node) }
        if let node = fields["alerts"] { service.alerts = decodeAlerts(node) }
        service.undecodable = undecodable
        return service
    }

    /// `policies/payment.yaml` → `payment`, used when the file has no valid `service:`.
    static func serviceName(fromFile path: String) -> String { GeneratedNames.serviceName(fromPolicyFile: path) }

    mutating func decodeDefaults(_ node: Node) -> Defaults {
        guard let fields = fields(node, "'defaults'", PolicyFields.defaults) else {
            return Defaults()
        }
        let ttl = fields["ttl"].flatMap { duration($0, "'defaults.ttl'") }
        if fields["ttl"] != nil, ttl == nil { undecodable.insert("defaults:ttl") }
        return Defaults(
            ttl: ttl,
            jitter: fields["jitter"].flatMap { percentage($0, "'defaults.jitter'") },
            codec: fields["codec"].flatMap { choice($0, "'defaults.codec'", Codec.self) },
            compress: fields["compress"].flatMap { compression($0, "'defaults.compress'") },
            location: node.location)
    }

    /// `{ over: 1KB }`, or `false` for no compression.
    mutating func compression(_ node: Node, _ what: @autoclosure () -> String) -> Located<Compression>? {
        if node.scalar != nil {
            guard let flag = bool(node, what()) else { return nil }
            if flag.value {
                diagnostics.report(
                    .typeMismatch, at: node.location, "\(what()) needs a threshold",
                    hint: "write 'compress: { over: 1KB }'")
                return nil
            }
            return Located(.none, at: node.location)
        }
        guard let fields = fields(node, what(), PolicyFields.compress),
              let over = fields["over"].flatMap({ size($0, "\(what()).over") })
        else { return nil }
        return Located(.over(over.value), at: node.location)
    }

    mutating func decodeParams(_ node: Node) -> [Param] {
        guard let pairs = mapping(node, "'params'") else { return [] }
        var params: [Param] = []
        for pair in pairs {
            let name = Located(pair.key, at: pair.keyLocation)
            if checkIdentifier(name, "the param", .member), let type = paramType(pair.value, "the type of '\(pair.key)'") {
                params.append(Param(name: name, type: type))
            } else {
                undecodable.insert("param:\(pair.key)")
            }
        }
        return params
    }

    /// `string`, `int`, `uuid`, `bool`, or `{ enum: [a, b] }`.
    mutating func paramType(_ node: Node, _ what: @autoclosure () -> String) -> ParamType? {
        if let scalar = node.scalar, !scalar.isNull {
            switch scalar.value {
            case "string": return .string
            case "int": return .int
            case "uuid": return .uuid
            case "bool": return .bool
            default:
                diagnostics.report(
                    .invalidValue, at: node.location, "\(what()) must be string, int, uuid, bool or { enum: [...] }, found '\(scalar.value)'",
                    hint: Suggestions.hint(for: scalar.value, in: ParamType.builtinNames + ["enum"]))
                return nil
            }
        }
        guard let fields = fields(node, what(), PolicyFields.enumType), let valuesNode = fields["enum"] else {
            return nil
        }
        let values = identifiers(valuesNode, "'enum'", .enumValue)
        guard !values.isEmpty else {
            diagnostics.report(.invalidValue, at: valuesNode.location, "an enum needs at least one value")
            return nil
        }
        var seen = Set<String>()
        for value in values where !seen.insert(value.value).inserted {
            diagnostics.report(.invalidValue, at: value.location, "the enum value '\(value.value)' is listed twice")
        }
        return .enumeration(values.map(\.value))
    }
}
