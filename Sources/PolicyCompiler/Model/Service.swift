/// One service's policy file, as declared (the AST). Fields the file omits are `nil` or empty;
/// defaults are applied when the checker builds the ``Program``.
public struct Service: Sendable {
    public var file: String
    public var name: Located<String>
    public var version: Located<Int>
    public var description: String?
    public var port: Located<Int>?
    public var memory: Located<ByteCount>?
    public var defaults: Defaults
    public var params: [Param]
    public var keys: [KeyFamily]
    public var events: [Event]
    public var invalidations: [EventInvalidation]
    public var warmups: [WarmupJob]
    public var alerts: Alerts
    /// Declarations that were present but could not be decoded (`key:name`, `param:name`,
    /// `event:name`, `field:event.name`, `defaults:ttl`); references to them are not reported
    /// again as unknown or missing.
    public var undecodable: Set<String> = []
}

/// Settings every key family of a service inherits unless it overrides them.
public struct Defaults: Sendable {
    public var ttl: Located<PolicyDuration>?
    public var jitter: Located<Percent>?
    public var codec: Located<Codec>?
    public var compress: Located<Compression>?
    public var location: SourceLocation?

    public init(
        ttl: Located<PolicyDuration>? = nil, jitter: Located<Percent>? = nil, codec: Located<Codec>? = nil,
        compress: Located<Compression>? = nil, location: SourceLocation? = nil
    ) {
        self.ttl = ttl
        self.jitter = jitter
        self.codec = codec
        self.compress = compress
        self.location = location
    }
}

/// A named, typed parameter shared by key patterns, tags and invalidations.
public struct Param: Sendable, Hashable {
    public var name: Located<String>
    public var type: ParamType
}

/// How a cached value is encoded in Redis.
public enum Codec: String, Sendable, Hashable, CaseIterable {
    /// A `Codable` value type encoded as JSON.
    case json
    /// UTF-8 text.
    case string
    /// Raw bytes.
    case bytes
    /// A 64-bit integer in decimal (usable with `INCRBY`).
    case int
}

extension Codec {
    /// The value type a non-JSON codec stores; JSON stores the family's declared `value:` type.
    public var builtinValueType: String? {
        switch self {
        case .json: nil
        case .string: "String"
        case .int: "Int"
        case .bytes: "Bytes"
        }
    }
}

/// Value compression: none, or compress values larger than a threshold.
public enum Compression: Sendable, Hashable {
    case none
    case over(ByteCount)
}
