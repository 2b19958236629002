/// `cachepolicy acl`: a Redis ACL file with one user per service, allowed only what the runtime
/// does for that service: its key families' keys, its own tag, index, lease, lifetime and
/// warmup-lock keys, the streams and channels of the events it produces or consumes, and the
/// commands the runtime sends (directly and from its scripts). Everything else, including
/// `FLUSHALL`, `KEYS`, `CONFIG` and other services' keys and streams, is `NOPERM`.
public enum ACLEmitter {
    /// The SHA-256 (64 hex digits) of a service's user's password, if one is given; the password
    /// itself never reaches this file.
    public typealias PasswordHash = (_ service: String) -> String?

    /// The commands the runtime sends for a service, and those its scripts call.
    public static let commands = [
        // Connection.
        "hello", "auth", "ping", "select", "client|setname", "client|tracking", "info",
        // Reads and writes, scripts.
        "get", "getex", "mget", "set", "unlink", "pttl", "eval", "evalsha", "script|load",
        // Inside the scripts: tag and index sets, leases, lifetimes, warmup locks.
        "sadd", "smembers", "srem", "pexpire", "del",
        // Events.
        "publish", "subscribe", "unsubscribe", "psubscribe", "punsubscribe", "xadd", "xreadgroup", "xack", "xautoclaim", "xgroup|create",
    ]

    /// The ACL file, deterministic: one `user` line per service (Redis's ACL files have no
    /// comments). `user(service)` names each service's user.
    public static func emit(_ program: Program, user: (String) -> String, password: PasswordHash) -> String {
        program.services.sorted { $0.name < $1.name }.map { service in
            rule(service, program, user: user(service.name), password: password(service.name)) + "\n"
        }.joined()
    }

    static func rule(_ service: ServiceProgram, _ program: Program, user: String, password: String?) -> String {
        var parts = ["user", user, "reset", "on"]
        if let password { parts.append("#" + password) }
        var keys: [String] = []
        for family in service.keys {
            let prefix = literalPrefix(family.pattern)
            keys.append(prefix)
            // On a cluster a key without a hash tag has its lease at `#lease:{key}` (same slot).
            keys += ["#lease:" + prefix, "#lease:{" + prefix]
            if family.sliding { keys += ["#life:" + prefix, "#life:{" + prefix] }
        }
        keys += ["#tag:\(service.name):*", "#idx:\(service.name):*", "#warmup:\(service.name):*"]
        let consumed = Set(service.reactions.map(\.event) + service.warmups.flatMap(\.after))
        let produced = Set(program.events.filter { $0.producer == service.name }.map(\.name))
        let events = consumed.union(produced).sorted()
        keys += events.map { "cachepolicy:v1:stream:" + escape($0) }
        parts += orderedUnique(keys).map { "~" + $0 }
        parts += events.map { "&cachepolicy:v1:event:" + escape($0) }
        parts.append("-@all")
        var allowed = commands
        if service.reactions.contains(where: { $0.actions.contains { $0.scan } }) { allowed.append("scan") }
        parts += allowed.map { "+" + $0 }
        return parts.joined(separator: " ")
    }

    /// A family's keys as a glob: its literal segments up to the first hole, then `*`.
    static func literalPrefix(_ pattern: KeyPattern) -> String {
        var prefix = ""
        for segment in pattern.segments {
            guard case .literal(let text) = segment else { return prefix + "*" }
            prefix += escape(text) + ":"
        }
        return String(prefix.dropLast())
    }

    /// Escapes glob characters in literal text.
    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            if "*?[]\\".contains(character) { out.append("\\") }
            out.append(character)
        }
        return out
    }

    static func orderedUnique(_ items: [String]) -> [String] {
        var seen = Set<String>()
        return items.filter { seen.insert($0).inserted }
    }
}
