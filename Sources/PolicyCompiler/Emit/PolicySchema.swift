/// A JSON Schema (draft-07) for policy files, so editors with the YAML language server complete
/// and validate them. The lint is the authority; the schema catches what a schema can (field names,
/// shapes, literal formats) while typing.
public enum PolicySchema {
    public static let fileName = "cachepolicy.schema.json"

    static func string(pattern: String, _ description: String) -> JSONValue {
        .object([("type", "string"), ("pattern", .string(pattern)), ("description", .string(description))])
    }

    static let duration = string(pattern: "^[0-9]{1,18}(ms|s|m|h|d)$", "A duration: 500ms, 30s, 15m, 1h, 7d.")
    static let size = string(pattern: "^[0-9]{1,18}(B|KB|MB|GB)$", "A size in binary units: 512B, 1KB, 64MB.")
    static let percent = string(pattern: "^[0-9]{1,9}(\\.[0-9]{1,9})?%$", "A percentage: 70%, 2.5%.")
    static let member = string(pattern: "^[a-z][a-zA-Z0-9]{0,63}$", "A lowerCamelCase name.")
    static let event = string(pattern: "^[a-z][a-z0-9-]*(\\.[a-z][a-z0-9-]*)+$", "An event name such as payment.succeeded.")
    static let keyPattern = JSONValue.object([
        ("type", "string"), ("minLength", 1), ("maxLength", 512),
        ("description", "Segments separated by ':'; each is literal text or one {param}."),
    ])

    static func object(_ properties: [(String, JSONValue)], required: [String] = [], description: String? = nil) -> JSONValue {
        .object(dropping: [
            ("type", "object"),
            ("description", description.map { .string($0) }),
            ("properties", .object(properties)),
            ("required", required.isEmpty ? nil : .array(required.map { .string($0) })),
            ("additionalProperties", false),
        ])
    }

    /// An object for one section of ``PolicyFields``: the properties must be exactly the section's
    /// fields, in its order (a mismatch is a bug in this file, caught by the schema tests), and
    /// the required ones come from the table.
    static func object(_ section: PolicyFields.Section, _ properties: [(String, JSONValue)]) -> JSONValue {
        precondition(properties.map(\.0) == section.known, "the schema and PolicyFields disagree: \(properties.map(\.0)) vs \(section.known)")
        return object(properties, required: section.required)
    }

    static func integer(_ range: ClosedRange<Int>) -> JSONValue {
        .object([("type", "integer"), ("minimum", .int(range.lowerBound)), ("maximum", .int(range.upperBound))])
    }

    static func map(key: JSONValue, value: JSONValue) -> JSONValue {
        .object([("type", "object"), ("propertyNames", key), ("additionalProperties", value)])
    }

    static func list(_ items: JSONValue) -> JSONValue { .object([("type", "array"), ("items", items)]) }

    static let paramType = JSONValue.object([("oneOf", [
        .object([("enum", ["string", "int", "uuid", "bool"])]),
        object(PolicyFields.enumType, [("enum", list(string(pattern: "^[a-z0-9][a-z0-9_-]*$", "An enum value.")))]),
    ])])

    static let compress = JSONValue.object([("oneOf", [
        .object([("const", false)]),
        object(PolicyFields.compress, [("over", size)]),
    ])])

    static func bound(_ name: String, _ value: JSONValue) -> JSONValue { object([(name, value), ("for", duration)], required: [name]) }

    static let alerts = object(PolicyFields.alerts, [
        ("hitRate", bound("below", percent)), ("memory", bound("above", percent)),
        ("latency", bound("above", duration)), ("errorRate", bound("above", percent)),
    ])

    public static func document() -> JSONValue {
        let family = object(PolicyFields.keyFamily, [
            ("pattern", keyPattern), ("description", ["type": "string"]), ("ttl", duration), ("jitter", percent),
            ("codec", .object([("enum", ["json", "string", "bytes", "int"])])),
            ("value", string(pattern: #"^[A-Za-z_\[][A-Za-z0-9_.<>\[\]:?, ]*$"#, "The Swift type of the value: a name, Module.Name, [T], [K: V] or T?.")),
            ("compress", compress), ("tags", list(keyPattern)), ("dependsOn", list(member)),
            ("nearCache", object(PolicyFields.nearCache, [("entries", integer(PolicyFields.nearCacheEntries))])),
            ("keyVersion", integer(PolicyFields.keyVersion)),
            ("sliding", ["type": "boolean"]),
            ("maxAge", duration),
            ("refresh", object([("ahead", percent)], required: ["ahead"])),
            ("readFrom", .object([("enum", .array(ReadFrom.allCases.map { .string($0.rawValue) }))])),
            ("slot", member),
        ])
        let binding = map(key: member, value: member)
        let action = JSONValue.object([("oneOf", [
            string(pattern: "^([a-z][a-z0-9-]*\\.)?[a-z][a-zA-Z0-9]*$", "A key family of this service."),
            object([("key", .object([("type", "string")])), ("bind", binding)], required: ["key"]),
            object([("tag", keyPattern), ("bind", binding), ("wholesale", ["type": "boolean"])], required: ["tag"]),
            object([("pattern", keyPattern), ("bind", binding), ("wholesale", ["type": "boolean"]), ("scan", ["type": "boolean"])], required: ["pattern"]),
        ])])
        let warmup = object(PolicyFields.warmup, [
            ("description", ["type": "string"]), ("keys", list(.object([("type", "string")]))), ("source", member),
            ("priority", .object([("enum", ["high", "medium", "low"])])), ("every", duration), ("after", list(event)),
            ("batch", integer(PolicyFields.batch)),
            ("concurrency", integer(PolicyFields.concurrency)),
            ("retry", object(PolicyFields.retry, [
                ("attempts", integer(PolicyFields.attempts)),
                ("backoff", duration), ("max", duration),
            ])),
        ])
        let topLevel: [(String, JSONValue)] = [
            ("version", .object([("const", 1)])),
            ("service", string(pattern: "^[a-z][a-z0-9-]*$", "The service name, unique across files.")),
            ("description", ["type": "string"]),
            ("port", integer(PolicyFields.port)),
            ("memory", size),
            ("defaults", object(PolicyFields.defaults, [
                ("ttl", duration), ("jitter", percent),
                ("codec", .object([("enum", ["json", "string", "bytes", "int"])])), ("compress", compress),
            ])),
            ("params", map(key: member, value: paramType)),
            ("keys", map(key: member, value: family)),
            ("events", map(key: event, value: object(PolicyFields.event, [
                ("description", ["type": "string"]), ("payload", map(key: member, value: paramType)),
                ("mutates", list(member)),
            ]))),
            ("invalidate", map(key: event, value: list(action))),
            ("warmup", map(key: string(pattern: "^[a-z][a-z0-9-]*$", "A warmup job name."), value: warmup)),
            ("alerts", alerts),
        ]
        precondition(topLevel.map(\.0) == PolicyFields.topLevel.known, "the schema and PolicyFields disagree on the top level")
        return .object([
            ("$schema", "http://json-schema.org/draft-07/schema#"),
            ("title", "cachepolicy policy file, version 1"),
            ("description", "One service's Redis cache policy. Reference: docs/policy-language.md."),
            ("type", "object"),
            ("properties", .object(topLevel)),
            ("required", .array(PolicyFields.topLevel.required.map { .string($0) })),
            ("additionalProperties", false),
        ])
    }
}

extension PolicySchema {
    public static let configFileName = "cachepolicy-config.schema.json"

    /// The JSON Schema of a generation config (`cachepolicy.yaml`, see ``GenerationConfig``).
    public static func configDocument() -> JSONValue {
        let properties: [(String, JSONValue)] = [
            ("imports", list(string(pattern: "^[A-Za-z_][A-Za-z0-9_]*$", "A module the generated code imports."))),
            ("access", .object([("enum", .array(AccessLevel.allCases.map { .string($0.rawValue) }))])),
            ("strict", ["type": "boolean"]),
            ("references", list(.object([("type", "string"), ("description", "A policy file or folder declared elsewhere, relative to this file.")]))),
        ]
        precondition(properties.map(\.0) == GenerationConfig.fields, "the config schema and GenerationConfig disagree")
        return .object([
            ("$schema", "http://json-schema.org/draft-07/schema#"),
            ("title", "cachepolicy generation config"),
            ("description", "How the build plugin generates a target's cache API. Reference: docs/code-generation.md."),
            ("type", "object"),
            ("properties", .object(properties)),
            ("additionalProperties", false),
        ])
    }
}

extension PolicySchema {
    public static let platformFileName = "cachepolicy-platform.schema.json"

    /// The JSON Schema of the platform file (`platform.yaml`, see ``Platform``).
    public static func platformDocument() -> JSONValue {
        let url = string(pattern: "^rediss?://[^@?]+$", "redis://host:port[/db] or rediss://… (no credentials: CP900).")
        let secret = JSONValue.object([("oneOf", [
            object(PolicyFields.secret, [("env", string(pattern: "^[A-Z_{}][A-Za-z0-9_{}]*$", "An environment variable; {SERVICE} is the service upper-cased.")), ("file", ["type": "string"])])
                .adding(required: ["env"]),
            object(PolicyFields.secret, [("env", string(pattern: "^[A-Z_{}][A-Za-z0-9_{}]*$", "An environment variable; {SERVICE} is the service upper-cased.")), ("file", ["type": "string"])])
                .adding(required: ["file"]),
        ])])
        let redis = JSONValue.object([("oneOf", [
            url,
            object(PolicyFields.redis, [
                ("url", .object([("oneOf", [url, secret])])),
                ("sentinel", object(PolicyFields.sentinel, [("master", ["type": "string"]), ("nodes", list(url))])),
                ("cluster", object(PolicyFields.cluster, [("seeds", list(url))])),
            ]).adding(extra: [("minProperties", 1), ("maxProperties", 1)]),
        ])])
        let environment = object(PolicyFields.environment, [
            ("description", ["type": "string"]),
            ("redis", redis),
            ("tls", object(PolicyFields.tls, [("ca", ["type": "string"]), ("cert", ["type": "string"]), ("key", ["type": "string"]), ("serverName", ["type": "string"])])),
            ("credentials", object(PolicyFields.credentials, [
                ("user", string(pattern: "\\{service\\}", "The ACL user; {service} is the service's name.")), ("password", secret),
            ])),
            ("ttlScale", percent),
            ("warmup", ["type": "boolean"]),
            ("alerts", alerts),
        ])
        let properties: [(String, JSONValue)] = [
            ("version", .object([("const", 1)])),
            ("platform", string(pattern: "^[a-z][a-z0-9-]*$", "The platform's name.")),
            ("description", ["type": "string"]),
            ("environments", .object([
                ("type", "object"), ("minProperties", 1),
                ("propertyNames", string(pattern: "^[a-z][a-z0-9-]*$", "An environment name such as dev, staging, prod.")),
                ("additionalProperties", environment),
            ])),
        ]
        precondition(properties.map(\.0) == PolicyFields.platform.known, "the platform schema and PolicyFields disagree")
        return .object([
            ("$schema", "http://json-schema.org/draft-07/schema#"),
            ("title", "cachepolicy platform file, version 1"),
            ("description", "The environments of a platform (policies/platform.yaml): topology, TLS, ACL users, overrides. Reference: docs/policy-language.md."),
            ("type", "object"),
            ("properties", .object(properties)),
            ("required", .array(PolicyFields.platform.required.map { .string($0) })),
            ("additionalProperties", false),
        ])
    }
}

extension JSONValue {
    /// The same object with `required` set.
    func adding(required: [String]) -> JSONValue { adding(extra: [("required", .array(required.map { .string($0) }))]) }

    /// The same object with more members (replacing any of the same name).
    func adding(extra: [(String, JSONValue)]) -> JSONValue {
        guard case .object(let members) = self else { return self }
        let names = Set(extra.map(\.0))
        return .object(members.filter { !names.contains($0.0) } + extra)
    }
}

extension JSONValue: ExpressibleByDictionaryLiteral {
    /// `["type": "string"]`: a one-entry object.
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(elements) }
}
