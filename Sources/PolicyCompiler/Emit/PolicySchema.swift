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

    static func map(key: JSONValue, value: JSONValue) -> JSONValue {
        .object([("type", "object"), ("propertyNames", key), ("additionalProperties", value)])
    }

    static func list(_ items: JSONValue) -> JSONValue { .object([("type", "array"), ("items", items)]) }

    static let paramType = JSONValue.object([("oneOf", [
        .object([("enum", ["string", "int", "uuid", "bool"])]),
        object([("enum", list(string(pattern: "^[a-z0-9][a-z0-9_-]*$", "An enum value.")))], required: ["enum"]),
    ])])

    static let compress = JSONValue.object([("oneOf", [
        .object([("const", false)]),
        object([("over", size)], required: ["over"]),
    ])])

    static func bound(_ name: String, _ value: JSONValue) -> JSONValue { object([(name, value)], required: [name]) }

    public static func document() -> JSONValue {
        let family = object([
            ("pattern", keyPattern), ("description", ["type": "string"]), ("ttl", duration), ("jitter", percent),
            ("codec", .object([("enum", ["json", "string", "bytes", "int"])])),
            ("value", string(pattern: #"^[A-Za-z_\[][A-Za-z0-9_.<>\[\]:?, ]*$"#, "The Swift type of the value: a name, Module.Name, [T], [K: V] or T?.")),
            ("compress", compress), ("tags", list(keyPattern)), ("dependsOn", list(member)),
            ("nearCache", object([("entries", .object([("type", "integer"), ("minimum", 1), ("maximum", 10_000_000)]))], required: ["entries"])),
        ], required: ["pattern"])
        let binding = map(key: member, value: member)
        let action = JSONValue.object([("oneOf", [
            string(pattern: "^([a-z][a-z0-9-]*\\.)?[a-z][a-zA-Z0-9]*$", "A key family of this service."),
            object([("key", .object([("type", "string")])), ("bind", binding)], required: ["key"]),
            object([("tag", keyPattern), ("bind", binding), ("wholesale", ["type": "boolean"])], required: ["tag"]),
            object([("pattern", keyPattern), ("bind", binding), ("wholesale", ["type": "boolean"])], required: ["pattern"]),
        ])])
        let warmup = object([
            ("description", ["type": "string"]), ("keys", list(.object([("type", "string")]))), ("source", member),
            ("priority", .object([("enum", ["high", "medium", "low"])])), ("every", duration), ("after", list(event)),
            ("batch", .object([("type", "integer"), ("minimum", 1), ("maximum", 100_000)])),
            ("concurrency", .object([("type", "integer"), ("minimum", 1), ("maximum", 1000)])),
            ("retry", object([
                ("attempts", .object([("type", "integer"), ("minimum", 1), ("maximum", 1000)])),
                ("backoff", duration), ("max", duration),
            ])),
        ], required: ["keys", "source"])
        return .object([
            ("$schema", "http://json-schema.org/draft-07/schema#"),
            ("title", "cachepolicy policy file, version 1"),
            ("description", "One service's Redis cache policy. Reference: docs/policy-language.md."),
            ("type", "object"),
            ("properties", .object([
                ("version", .object([("const", 1)])),
                ("service", string(pattern: "^[a-z][a-z0-9-]*$", "The service name, unique across files.")),
                ("description", ["type": "string"]),
                ("port", .object([("type", "integer"), ("minimum", 1), ("maximum", 65535)])),
                ("memory", size),
                ("defaults", object([
                    ("ttl", duration), ("jitter", percent),
                    ("codec", .object([("enum", ["json", "string", "bytes", "int"])])), ("compress", compress),
                ])),
                ("params", map(key: member, value: paramType)),
                ("keys", map(key: member, value: family)),
                ("events", map(key: event, value: object([
                    ("description", ["type": "string"]), ("payload", map(key: member, value: paramType)),
                    ("mutates", list(member)),
                ]))),
                ("invalidate", map(key: event, value: list(action))),
                ("warmup", map(key: string(pattern: "^[a-z][a-z0-9-]*$", "A warmup job name."), value: warmup)),
                ("alerts", object([
                    ("hitRate", bound("below", percent)), ("memory", bound("above", percent)),
                    ("latency", bound("above", duration)), ("errorRate", bound("above", percent)),
                ])),
            ])),
            ("required", ["version", "service"]),
            ("additionalProperties", false),
        ])
    }
}

extension JSONValue: ExpressibleByDictionaryLiteral {
    /// `["type": "string"]`: a one-entry object.
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(elements) }
}
