/// The policy language's field table: the fields every mapping may have, which are required, and
/// the range of every bounded integer. The decoder checks policies against it and ``PolicySchema``
/// is generated from it (the schema builder refuses a property list that differs), so the two
/// cannot drift apart.
public enum PolicyFields {
    /// The fields of one kind of mapping.
    public struct Section: Sendable {
        public let known: [String]
        public let required: [String]
        /// `known` as packed bytes, so the decoder checks a mapping's keys without making strings.
        let packedKnown: [NodeTree.PackedText?]

        init(known: [String], required: [String]) {
            self.known = known
            self.required = required
            packedKnown = known.map { NodeTree.PackedText($0) }
        }
    }

    public static let topLevel = Section(
        known: ["version", "service", "description", "port", "memory", "defaults", "params", "keys", "events", "invalidate", "warmup", "alerts"],
        required: ["version", "service"])
    public static let defaults = Section(known: ["ttl", "jitter", "codec", "compress"], required: [])
    public static let compress = Section(known: ["over"], required: ["over"])
    public static let enumType = Section(known: ["enum"], required: ["enum"])
    public static let keyFamily = Section(
        known: ["pattern", "description", "ttl", "jitter", "codec", "value", "compress", "tags", "dependsOn", "nearCache", "keyVersion", "sliding", "maxAge", "refresh", "readFrom", "slot"],
        required: ["pattern"])
    public static let nearCache = Section(known: ["entries"], required: ["entries"])
    public static let refresh = Section(known: ["ahead"], required: ["ahead"])
    public static let event = Section(known: ["description", "payload", "mutates"], required: [])
    /// The mapping form of an invalidation; exactly one of key, tag and pattern is given.
    public static let invalidation = Section(known: ["key", "tag", "pattern", "bind", "wholesale", "scan"], required: [])
    public static let warmup = Section(
        known: ["description", "keys", "source", "priority", "every", "after", "batch", "concurrency", "retry"],
        required: ["keys", "source"])
    public static let retry = Section(known: ["attempts", "backoff", "max"], required: [])
    public static let alerts = Section(known: ["hitRate", "memory", "latency", "errorRate"], required: [])

    /// The platform file (`platform.yaml`): environments instead of a service.
    public static let platform = Section(known: ["version", "platform", "description", "environments"], required: ["version", "platform", "environments"])
    public static let environment = Section(
        known: ["description", "redis", "tls", "credentials", "ttlScale", "warmup", "alerts"], required: ["redis"])
    /// Exactly one of the three.
    public static let redis = Section(known: ["url", "sentinel", "cluster"], required: [])
    public static let sentinel = Section(known: ["master", "nodes"], required: ["master", "nodes"])
    public static let cluster = Section(known: ["seeds"], required: ["seeds"])
    public static let tls = Section(known: ["ca", "cert", "key", "serverName"], required: [])
    public static let credentials = Section(known: ["user", "password"], required: [])
    /// Where a secret is read from: exactly one of the two.
    public static let secret = Section(known: ["env", "file"], required: [])
    /// `ttlScale` as a share of the declared TTLs.
    public static let ttlScale = 0.001...1000.0

    public static let port = 1...65535
    public static let nearCacheEntries = 1...10_000_000
    public static let batch = 1...100_000
    public static let concurrency = 1...1000
    public static let attempts = 1...1000
    public static let keyVersion = 1...1_000_000
}
