/// The one place defaults are resolved: a setting's value is the key family's (or job's), else the
/// service's `defaults:`, else the language's built-in default below. The decoder, the checker and
/// the program builder all ask here.
public enum BuiltinDefaults {
    public static let jitter = Percent(0)
    public static let codec = Codec.json
    public static let compression = Compression.none
    public static let priority = WarmupJob.Priority.medium
    public static let batch = 100
    public static let concurrency = 1

    /// The codec a family with `codec` (possibly unset) uses under `defaults`.
    public static func codec(_ codec: Located<Codec>?, under defaults: Defaults) -> Codec {
        codec?.value ?? defaults.codec?.value ?? Self.codec
    }
}

extension KeyFamily {
    /// The TTL, or `nil` when neither the family nor `defaults` sets one (an error the decoder reports).
    public func ttl(under defaults: Defaults) -> Located<PolicyDuration>? { ttl ?? defaults.ttl }
    public func jitter(under defaults: Defaults) -> Percent { (jitter ?? defaults.jitter)?.value ?? BuiltinDefaults.jitter }
    public func codec(under defaults: Defaults) -> Codec { BuiltinDefaults.codec(codec, under: defaults) }
    /// The compression setting and where it was declared (the family's or the defaults').
    public func compression(under defaults: Defaults) -> Located<Compression>? { compress ?? defaults.compress }
}
