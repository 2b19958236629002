/// A key family as the audit sees it: its service, name, pattern and declared TTL.
public struct AuditFamily: Sendable, Hashable {
    public let service: String
    public let name: String
    /// `:`-separated literal segments and `{param}` holes, as the compiler resolved it (with its
    /// `vN` segment when versioned).
    public let pattern: String
    public let ttlMilliseconds: Int64

    public init(service: String, name: String, pattern: String, ttlMilliseconds: Int64) {
        self.service = service
        self.name = name
        self.pattern = pattern
        self.ttlMilliseconds = ttlMilliseconds
    }

    var segments: [Substring?] { pattern.split(separator: ":", omittingEmptySubsequences: false).map { $0.hasPrefix("{") && $0.hasSuffix("}") ? nil : $0 } }
}

/// What a key is: an entry of a family, one of the runtime's own keys, or an orphan.
public enum KeyKind: Sendable, Hashable {
    case entry(AuditFamily)
    /// `#tag:<service>:…`
    case tagSet(service: String)
    /// `#idx:<service>:…`
    case indexSet(service: String)
    /// `#lease:<key>`: a read-through load's lease; the family of the key it guards, if any.
    case lease(AuditFamily?)
    /// `#life:<key>`: a sliding entry's lifetime marker.
    case lifetime(AuditFamily?)
    /// `#warmup:<service>:<job>`: a warmup job's fleet lock.
    case warmupLock(service: String)
    /// `cachepolicy:v1:stream:<event>`: an event stream.
    case eventStream
    /// Matches no declared family: a missing policy, or keys of an older version.
    case orphan
}

/// Matches keys against the families' patterns, segment by segment: a literal segment matches
/// itself, a hole any one segment (the runtime percent-encodes `:` in values, so a value is one
/// segment). The compiler proved that no two families produce the same key, so at most one matches.
public struct KeyClassifier: Sendable {
    private struct Shape: Hashable {
        let count: Int
        let first: Substring?
    }

    private let families: [Shape: [(AuditFamily, [Substring?])]]

    public init(_ families: [AuditFamily]) {
        var index: [Shape: [(AuditFamily, [Substring?])]] = [:]
        for family in families {
            let segments = family.segments
            index[Shape(count: segments.count, first: segments.first ?? nil), default: []].append((family, segments))
        }
        self.families = index
    }

    /// The family whose pattern the key matches, if any.
    public func family(of key: Substring) -> AuditFamily? {
        let parts = key.split(separator: ":", omittingEmptySubsequences: false)
        for shape in [Shape(count: parts.count, first: parts.first), Shape(count: parts.count, first: nil)] {
            for (family, segments) in families[shape] ?? [] where zip(segments, parts).allSatisfy({ $0.0 == nil || $0.0 == $0.1 }) {
                return family
            }
        }
        return nil
    }

    public func classify(_ key: String) -> KeyKind {
        if key.hasPrefix("#") {
            if let rest = Self.after(key, "#tag:") { return .tagSet(service: Self.firstSegment(rest)) }
            if let rest = Self.after(key, "#idx:") { return .indexSet(service: Self.firstSegment(rest)) }
            if let rest = Self.after(key, "#lease:") { return .lease(family(of: Self.unwrapped(rest))) }
            if let rest = Self.after(key, "#life:") { return .lifetime(family(of: Self.unwrapped(rest))) }
            if let rest = Self.after(key, "#warmup:") { return .warmupLock(service: Self.firstSegment(rest)) }
            return .orphan
        }
        if key.hasPrefix("cachepolicy:v1:stream:") { return .eventStream }
        return family(of: Substring(key)).map(KeyKind.entry) ?? .orphan
    }

    static func after(_ key: String, _ prefix: String) -> Substring? {
        key.hasPrefix(prefix) ? key.dropFirst(prefix.count) : nil
    }

    static func firstSegment(_ text: Substring) -> String { String(text.prefix { $0 != ":" }) }

    /// `{key}` → `key`: the form a lease or lifetime key takes on a cluster.
    static func unwrapped(_ text: Substring) -> Substring {
        text.hasPrefix("{") && text.hasSuffix("}") && text.count > 2 ? text.dropFirst().dropLast() : text
    }
}
