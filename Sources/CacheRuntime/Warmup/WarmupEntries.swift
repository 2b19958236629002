import NIOConcurrencyHelpers
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

    /// The entry for `value` under `key`, encoded with the key family's codec.
    public init<Value>(_ key: CacheKey<Value>, _ value: Value) throws {
        self.init(key: key.key, family: key.family, tags: key.tags, value: try key.encode(value))
    }
}

/// Encoded entries written together (one pipeline): a warmup batch, or an `mset`.
public struct WarmupEntries: Sendable {
    public private(set) var entries: [CacheEntry] = []

    public init() {}

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }

    public mutating func add<Value>(_ key: CacheKey<Value>, _ value: Value) throws {
        entries.append(try CacheEntry(key, value))
    }

    public mutating func append(_ entry: CacheEntry) {
        entries.append(entry)
    }
}

/// A warmup job bound to the application's loader (the generated `warmupTasks(_:)`).
public struct WarmupTask: Sendable {
    public let spec: WarmupJobSpec
    /// Runs the loader: it adds its entries to the sink, which hands them on a batch at a time.
    public let load: @Sendable (WarmupSink) async throws -> Void

    public init(spec: WarmupJobSpec, load: @escaping @Sendable (WarmupSink) async throws -> Void) {
        self.spec = spec
        self.load = load
    }

    /// Runs the loader and returns every entry it adds, in order: for tests of a loader. It holds
    /// them all; the warmup runner streams them instead.
    public func collect() async throws -> [CacheEntry] {
        let collected = NIOLockedValueBox([CacheEntry]())
        let sink = WarmupSink(batch: max(1, spec.batch)) { batch in
            collected.withLockedValue { $0.append(contentsOf: batch.entries) }
        }
        try await load(sink)
        try await sink.finish()
        return collected.withLockedValue { $0 }
    }
}
