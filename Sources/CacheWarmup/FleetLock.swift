import RESP

/// The lock that lets one instance of a fleet run a warmup job at a time: `SET key token NX PX`
/// with a random token, renewed while the job runs, released only by its owner (compare-and-delete).
///
/// A lock can be lost on a failover (the new primary may not have received it) or when renewal
/// stalls past its TTL; another instance may then run the job too. Warmup is idempotent, so the
/// cost is extra load on the source, never wrong data.
public struct FleetLock: Sendable {
    public let key: String
    public let token: String
    public let ttl: Duration

    /// The lock's key for a job: `#warmup:<service>:<job>`.
    public static func key(for job: WarmupJobID) -> String { "#warmup:\(job.service):\(job.name)" }

    /// Takes the lock, or returns `nil` when another instance holds it.
    public static func acquire(_ job: WarmupJobID, ttl: Duration, on redis: any RedisTransport) async throws -> FleetLock? {
        let token = (0..<4).map { _ in String(UInt64.random(in: .min ... .max), radix: 36) }.joined(separator: "-")
        let key = key(for: job)
        var command = RESPCommand("SET", key, token, "NX", "PX")
        command.append(milliseconds(ttl))
        return try await redis.send(command).isNull ? nil : FleetLock(key: key, token: token, ttl: ttl)
    }

    private static let renewScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
        return 0
        """
    private static let releaseScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """

    /// Extends the lock by its TTL; `false` when it is no longer ours (expired or taken over).
    public func renew(on redis: any RedisTransport) async throws -> Bool {
        var command = RESPCommand("EVAL", Self.renewScript, "1", key, token)
        command.append(Self.milliseconds(ttl))
        return try await redis.send(command).int == 1
    }

    /// Deletes the lock if it is still ours; `true` if it was.
    @discardableResult
    public func release(on redis: any RedisTransport) async throws -> Bool {
        try await redis.send(RESPCommand("EVAL", Self.releaseScript, "1", key, token)).int == 1
    }

    static func milliseconds(_ duration: Duration) -> Int { max(1, Int(duration / .milliseconds(1))) }
}
