import NIOCore

/// One encoded entry ready to write: key, value bytes, TTL source and tag sets.
public struct CacheEntry: Sendable {
    public let key: String
    public let family: KeyFamilySpec
    public let tags: [String]
    public let value: ByteBuffer

    public init(key: String, family: KeyFamilySpec, tags: [String], value: ByteBuffer) {
        self.key = key
        self.family = family
        self.tags = tags
        self.value = value
    }
}

/// What a warmup loader produces: entries encoded with their family's codec as they are added.
public struct WarmupEntries: Sendable {
    public private(set) var entries: [CacheEntry] = []

    public init() {}

    public mutating func add<Value>(_ key: CacheKey<Value>, _ value: Value) throws {
        entries.append(CacheEntry(key: key.key, family: key.family, tags: key.tags, value: try key.encode(value)))
    }
}

/// A warmup job bound to the application's loader.
public struct WarmupTask: Sendable {
    public let spec: WarmupJobSpec
    public let load: @Sendable () async throws -> WarmupEntries

    public init(spec: WarmupJobSpec, load: @escaping @Sendable () async throws -> WarmupEntries) {
        self.spec = spec
        self.load = load
    }
}
