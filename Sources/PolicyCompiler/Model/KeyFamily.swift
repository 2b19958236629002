/// A key family: one typed key pattern with its TTL, value codec, tags and dependencies.
public struct KeyFamily: Sendable {
    public var name: Located<String>
    public var description: String?
    public var pattern: KeyPattern
    public var ttl: Located<PolicyDuration>?
    public var jitter: Located<Percent>?
    public var codec: Located<Codec>?
    /// The Swift type of the value (json codec) or a builtin (`String`, `Int`, `Bytes`).
    public var value: Located<String>?
    public var compress: Located<Compression>?
    public var tags: [KeyPattern]
    public var dependsOn: [Located<String>]
    /// Entries kept in an in-process near cache, if any.
    public var nearCache: Located<Int>?
    /// `keyVersion: N` (N > 1) appends the literal segment `vN` to the pattern, so entries written
    /// in another format live under other keys; `cachepolicy diff` says when to bump it.
    public var keyVersion: Located<Int>? = nil
}
