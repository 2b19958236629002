/// What one service drops from its cache when an event (its own or another service's) happens.
public struct EventInvalidation: Sendable {
    public var event: Located<String>
    public var actions: [InvalidationAction]
}

/// One invalidation: a key family's key, a tag, or a SCAN pattern, with explicit bindings
/// from params to payload fields (params not bound explicitly bind to the field of the same name).
public struct InvalidationAction: Sendable {
    public enum Target: Sendable {
        /// A key family, optionally qualified with its service (`user.profile`).
        case key(service: Located<String>?, family: Located<String>)
        case tag(KeyPattern)
        case pattern(KeyPattern)
    }

    public var target: Target
    public var bind: [Binding]
    /// `wholesale: true`: the tag or pattern is meant to drop entries the event does not name
    /// (search results after any edit), which silences the over-invalidation warning (CP404).
    public var wholesale: Bool = false
    /// `scan: true`: the pattern runs as `SCAN MATCH` over the keyspace (keys written by other
    /// code, or shapes that cannot be indexed) instead of through an index set.
    public var scan: Bool = false
    public var location: SourceLocation
}

/// `param: payloadField` inside `bind:`.
public struct Binding: Sendable, Hashable {
    public var param: Located<String>
    public var field: Located<String>
}
