import NIOConcurrencyHelpers
import RESP

/// The server-side scripts that make multi-key cache operations atomic. Each runs by `EVALSHA`,
/// loaded on first use and reloaded after `NOSCRIPT` (a restarted server).
struct LuaScript: Sendable, Hashable {
    let name: String
    let source: String

    /// Writes a value with its TTL and adds the key to its tag sets; a tag set's TTL is raised to
    /// the entry's, so tag sets expire no earlier than their members.
    /// KEYS: key, tag sets…; ARGV: value, ttl ms.
    static let setTagged = LuaScript(name: "set-tagged", source: """
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        \(joinTagSets(from: 2, member: "KEYS[1]", ttl: "ARGV[2]"))
        return 1
        """)

    /// Lua that adds `member` to the tag sets `KEYS[from…]` and raises each set's TTL to at least
    /// `ttl` (never lowers it), shared by the scripts that write tagged entries.
    static func joinTagSets(from first: Int, member: String, ttl: String) -> String {
        """
        for i = \(first), #KEYS do
          redis.call('SADD', KEYS[i], \(member))
          if redis.call('PTTL', KEYS[i]) < tonumber(\(ttl)) then redis.call('PEXPIRE', KEYS[i], \(ttl)) end
        end
        """
    }

    /// Takes a lease before a read-through load: records the loader's token, and joins the key's tag
    /// sets already, so a tag invalidation during the load finds the key and revokes the lease.
    /// KEYS: lease key, tag sets…; ARGV: token, lease ttl ms, key.
    static let acquireLease = LuaScript(name: "acquire-lease", source: """
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        \(joinTagSets(from: 2, member: "ARGV[3]", ttl: "ARGV[2]"))
        return 1
        """)

    /// Stores a loaded value only if the loader's lease is still there: an invalidation since the
    /// lease was taken deleted it, and then the (now stale) value is not stored.
    /// KEYS: key, lease key, tag sets…; ARGV: token, value, ttl ms. Returns 1 if stored.
    static let storeWithLease = LuaScript(name: "store-with-lease", source: """
        if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
        redis.call('DEL', KEYS[2])
        redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
        \(joinTagSets(from: 3, member: "KEYS[1]", ttl: "ARGV[3]"))
        return 1
        """)

    /// A read of a sliding entry with a lifetime: the value, its TTL renewed (never past what is
    /// left of its lifetime); an entry whose lifetime ended is removed and read as a miss.
    /// KEYS: key, lifetime key; ARGV: ttl ms. Returns the value or nil.
    static let slidingGet = LuaScript(name: "sliding-get", source: """
        local value = redis.call('GET', KEYS[1])
        if not value then return nil end
        local left = redis.call('PTTL', KEYS[2])
        if left <= 0 then
          redis.call('UNLINK', KEYS[1])
          return nil
        end
        local ttl = tonumber(ARGV[1])
        if left < ttl then ttl = left end
        redis.call('PEXPIRE', KEYS[1], ttl)
        return value
        """)

    /// Deletes the key only if it still holds the given value. KEYS: key; ARGV: value. Returns 1 if deleted.
    static let deleteIfEqual = LuaScript(name: "delete-if-equal", source: """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('UNLINK', KEYS[1]) end
        return 0
        """)

    /// Removes an entry, its lease, and its membership of its tag and index sets, so no set holds
    /// a member past its removal. KEYS: key, lease key, sets…. Returns the number of keys removed (0 or 1).
    static let deleteMember = LuaScript(name: "delete-member", source: """
        local removed = redis.call('UNLINK', KEYS[1])
        redis.call('UNLINK', KEYS[2])
        for i = 3, #KEYS do redis.call('SREM', KEYS[i], KEYS[1]) end
        return removed
        """)

    /// Removes every member of a tag or index set (and any lease on it), then the set.
    /// KEYS: the set; ARGV: `1` on a cluster (a member without a hash tag has its lease at
    /// `#lease:{member}`, see `CacheClient.sideKey`). Returns the number of member keys removed.
    static let invalidateSet = LuaScript(name: "invalidate-set", source: """
        local members = redis.call('SMEMBERS', KEYS[1])
        local removed = 0
        for _, member in ipairs(members) do
          removed = removed + redis.call('UNLINK', member)
          local lease = '#lease:' .. member
          if ARGV[1] == '1' then
            local open = string.find(member, '{', 1, true)
            local close = open and string.find(member, '}', open + 1, true)
            if not (close and close > open + 1) then lease = '#lease:{' .. member .. '}' end
          end
          redis.call('UNLINK', lease)
        end
        redis.call('UNLINK', KEYS[1])
        return removed
        """)
}

/// Runs ``LuaScript``s with `EVALSHA`, caching each script's SHA.
final class ScriptRunner: Sendable {
    private let shas = NIOLockedValueBox([String: String]())

    func command(_ script: LuaScript, sha: String, keys: [String], arguments: [RESPArgument]) -> RESPCommand {
        var command = RESPCommand("EVALSHA")
        command.append(sha)
        command.append(keys.count)
        command.append(contentsOf: keys)
        for argument in arguments { argument.append(to: &command) }
        return command
    }

    func run(_ script: LuaScript, keys: [String], arguments: [RESPArgument], on client: any RedisTransport) async throws -> RESPValue {
        try await run(script, on: client) { sha in command(script, sha: sha, keys: keys, arguments: arguments) }
    }

    /// Runs the script's `EVALSHA` as `command` builds it from the SHA (loading the script first,
    /// and again after `NOSCRIPT`).
    func run(_ script: LuaScript, on client: any RedisTransport, _ command: (String) -> RESPCommand) async throws -> RESPValue {
        for _ in 0..<2 {
            let sha = try await load(script, on: client)
            do {
                return try await client.send(command(sha))
            } catch let error as RedisError where error.code == "NOSCRIPT" {
                forget(script)
            }
        }
        throw RedisError("NOSCRIPT the script \(script.name) could not be loaded")
    }

    /// Runs a script once per key list, all in one pipeline (one round trip); replies in order.
    /// Error replies other than `NOSCRIPT` are thrown.
    func runEach(_ script: LuaScript, keys: [[String]], arguments: [RESPArgument] = [], on client: any RedisTransport) async throws -> [RESPValue] {
        guard !keys.isEmpty else { return [] }
        for _ in 0..<2 {
            let sha = try await load(script, on: client)
            let replies = try await client.pipeline(keys.map { command(script, sha: sha, keys: $0, arguments: arguments) })
            if replies.contains(where: { if case .error(let message) = $0 { RedisError(message).code == "NOSCRIPT" } else { false } }) {
                forget(script)
                continue
            }
            for reply in replies {
                if case .error(let message) = reply { throw RedisError(message) }
            }
            return replies
        }
        throw RedisError("NOSCRIPT the script \(script.name) could not be loaded")
    }

    /// Forgets a script's SHA (after `NOSCRIPT`), so the next use loads it again.
    func forget(_ script: LuaScript) {
        _ = shas.withLockedValue { $0.removeValue(forKey: script.name) }
    }

    /// The script's SHA, loading it first (on a cluster, into every primary: `EVALSHA` runs on
    /// whichever primary serves the keys; a primary that lost it answers `NOSCRIPT` and the load
    /// is repeated).
    func load(_ script: LuaScript, on client: any RedisTransport) async throws -> String {
        if let sha = shas.withLockedValue({ $0[script.name] }) { return sha }
        let load = RESPCommand("SCRIPT", "LOAD", script.source)
        var loaded: String?
        if client.isCluster {
            for primary in try await client.primaries() { loaded = try await primary.send(load).string }
        } else {
            loaded = try await client.send(load).string
        }
        guard let sha = loaded else {
            throw RedisError("SCRIPT LOAD did not return a SHA")
        }
        shas.withLockedValue { $0[script.name] = sha }
        return sha
    }
}
