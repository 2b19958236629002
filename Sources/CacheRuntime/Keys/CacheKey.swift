import NIOCore

/// What reads and deletes need: a concrete key, its family and its value type.
public protocol CacheKeyProtocol: Sendable, Hashable, CustomStringConvertible {
    associatedtype Value: Sendable
    /// The concrete Redis key.
    var key: String { get }
    var family: KeyFamilySpec { get }
    var codec: ValueCodec<Value> { get }
    /// The tag and index sets the entry is a member of, as far as this key knows them: deleting
    /// the entry removes it from them too.
    var sets: [String] { get }
}

extension CacheKeyProtocol {
    public var description: String { key }

    /// Decodes a stored value with this family's compression and codec.
    public func decode(_ stored: ByteBuffer) throws -> Value {
        try codec.decode(ValueCompression.unwrap(stored, policy: family.compression))
    }
}

/// A complete key: everything needed to read, write and tag an entry. Builders generated from the
/// policy (`PaymentCache.history(userId:page:)`) are the only intended way to make one.
public struct CacheKey<Value: Sendable>: CacheKeyProtocol {
    public let key: String
    public let family: KeyFamilySpec
    /// The Redis keys of the tag and index sets this entry joins when written.
    public let tags: [String]
    public let codec: ValueCodec<Value>

    /// For generated builders only (`@_spi(Generated) import CacheRuntime`): a key made by hand
    /// skips the encoding that keeps param values from forging other keys.
    @_spi(Generated)
    public init(key: String, family: KeyFamilySpec, tags: [String] = [], codec: ValueCodec<Value>) {
        self.key = key
        self.family = family
        self.tags = tags
        self.codec = codec
    }

    /// Encodes a value with this family's codec and compression.
    public func encode(_ value: Value) throws -> ByteBuffer {
        try ValueCompression.wrap(codec.encode(value), policy: family.compression)
    }

    public var sets: [String] { tags }

    /// The same key without the tags, for reads.
    public var readOnly: ReadOnlyCacheKey<Value> { ReadOnlyCacheKey(key: key, family: family, codec: codec) }

    public static func == (a: Self, b: Self) -> Bool { a.key == b.key && a.family == b.family && a.tags == b.tags }
    public func hash(into hasher: inout Hasher) { hasher.combine(key) }
}

/// A key for reading and deleting only. Families whose tags use params that are not in the key
/// pattern also get a builder without those params; it returns this type, so writing such an
/// entry without its tags does not compile.
public struct ReadOnlyCacheKey<Value: Sendable>: CacheKeyProtocol {
    public let key: String
    public let family: KeyFamilySpec
    public let codec: ValueCodec<Value>
    /// The index sets the entry is a member of (its tags need params this key lacks).
    public let indexes: [String]

    /// For generated builders only, like ``CacheKey/init(key:family:tags:codec:)``.
    @_spi(Generated)
    public init(key: String, family: KeyFamilySpec, indexes: [String] = [], codec: ValueCodec<Value>) {
        self.key = key
        self.family = family
        self.indexes = indexes
        self.codec = codec
    }

    public var sets: [String] { indexes }

    public static func == (a: Self, b: Self) -> Bool { a.key == b.key && a.family == b.family }
    public func hash(into hasher: inout Hasher) { hasher.combine(key) }
}
