import CacheRuntime
import Atomics
import CoreMetrics
import Logging
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import RESP

/// The policy-aware cache: typed reads and writes by generated keys, read-through with
/// single-flight and stale-set protection, tags, and invalidation plans. Keys, TTLs, codecs,
/// compression and tags all come from the `CacheKey`, i.e. from the compiled policy.
public final class CacheClient: Sendable {
    /// One server (a `RedisClient`: standalone or a Sentinel master) or a cluster (`RedisClusterClient`).
    public let redis: any RedisTransport
    /// How long a read-through loader may hold its lease; a value loaded later is not stored.
    public let leaseTTL: Duration
    /// Keys per `SCAN` page and per `UNLINK` during pattern invalidation.
    public let scanBatch: Int
    let scripts = ScriptRunner()
    let flights = NIOLockedValueBox([String: Task<any Sendable, any Error>]())
    let nearCache: NearCache
    let unexpectedReplyCount = ManagedAtomic<Int>(0)
    let decodeFailureCount = ManagedAtomic<Int>(0)
    let earlyRefreshCount = ManagedAtomic<Int>(0)
    let replicaFallbacks = ManagedAtomic<Int>(0)
    /// Per family with early refresh: a moving average of its loads, in milliseconds (XFetch's δ).
    let loadMilliseconds = NIOLockedValueBox([String: Double]())

    /// Early refreshes started since the client was made.
    public var earlyRefreshes: Int { earlyRefreshCount.load(ordering: .relaxed) }

    func recordLoadTime(_ duration: Duration, _ family: KeyFamilySpec) {
        let milliseconds = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
        loadMilliseconds.withLockedValue { averages in
            averages[family.description] = averages[family.description].map { $0 * 0.8 + milliseconds * 0.2 } ?? milliseconds
        }
    }
    let loggedDecodeFailures = NIOLockedValueBox(Set<String>())
    /// Where the cache logs (decode failures, listener and tracker events); never keys' values or credentials.
    public let logger: Logger

    /// What `fetch` does when Redis is down or slow.
    public enum Degradation: Sendable, Hashable {
        /// Serve from the loader (not stored), behind the circuit breaker: slower, never broken.
        case failOpen
        /// Throw the connection error.
        case failClosed
    }

    public let degradation: Degradation
    let breaker: NIOLockedValueBox<CircuitBreaker>
    /// Metrics (swift-metrics: the factory given to `init`, or the process's `MetricsSystem`) and
    /// per-service statistics; see docs/metrics.md.
    let instruments: CacheInstruments

    /// A service's operations over the last ``statisticsWindow`` (hits, misses, errors, latency),
    /// for its health report.
    public func statistics(for service: String) -> ServiceStatistics.Snapshot {
        instruments.service(service).statistics.snapshot()
    }

    /// How far back ``statistics(for:)`` looks.
    public var statisticsWindow: Duration { instruments.statisticsWindow }

    /// The circuit breaker's state (see ``CircuitBreaker``).
    public var breakerState: CircuitBreaker.State { breaker.withLockedValue { $0.state } }

    /// Entries read since the client was made that did not decode (each was dropped as a miss).
    public var decodeFailures: Int { decodeFailureCount.load(ordering: .relaxed) }
    /// Points where tests force an interleaving; empty in production.
    let hooks = Hooks()

    /// Replies of the wrong type (e.g. an integer for `GET`) since the client was made: each was
    /// thrown as an error.
    public var unexpectedReplies: Int { unexpectedReplyCount.load(ordering: .relaxed) }

    /// Reads of `readFrom: replica` families the replica could not answer (the primary did).
    public var replicaReadFallbacks: Int { replicaFallbacks.load(ordering: .relaxed) }

    /// Entries kept per event stream (`XADD … MAXLEN ~`): how far a consuming service may fall
    /// behind (or stay down) before events are trimmed unseen.
    public let streamMaxLength: Int

    /// Where reads of `readFrom: replica` families go (a Sentinel replica: `SentinelConfiguration(role: .replica)`);
    /// `nil` reads everything from ``redis``. A replica that fails is skipped for that read: the
    /// primary answers instead.
    public let replica: RedisClient?

    /// Every TTL written is the family's multiplied by this (an environment's `ttlScale`; 1 keeps the policy's).
    public let ttlScale: Double

    public init(
        redis: any RedisTransport, leaseTTL: Duration = .seconds(30), scanBatch: Int = 500, streamMaxLength: Int = 100_000,
        logger: Logger = Logger(label: "cachepolicy.cache"), degradation: Degradation = .failOpen,
        breaker: CircuitBreaker = CircuitBreaker(), metrics: (any MetricsFactory)? = nil, statisticsWindow: Duration = .seconds(60),
        ttlScale: Double = 1, replica: RedisClient? = nil
    ) {
        self.replica = replica
        precondition(ttlScale > 0 && ttlScale.isFinite, "ttlScale must be a positive number")
        self.ttlScale = ttlScale
        self.nearCache = NearCache(ttlScale: ttlScale)
        self.redis = redis
        self.instruments = CacheInstruments(factory: metrics, statisticsWindow: statisticsWindow)
        self.logger = logger
        self.degradation = degradation
        self.breaker = NIOLockedValueBox(breaker)
        self.leaseTTL = leaseTTL
        self.scanBatch = scanBatch
        self.streamMaxLength = streamMaxLength
    }

    /// The key of the lease a read-through load holds (docs/runtime.md).
    func leaseKey(_ key: String) -> String { Self.sideKey("#lease:", key, cluster: redis.isCluster) }

    /// The key that bounds a sliding entry's lifetime (`maxAge`).
    func lifetimeKey(_ key: String) -> String { Self.sideKey("#life:", key, cluster: redis.isCluster) }

    /// A key that lives beside an entry (its lease, its lifetime): `prefix` + the key. On a cluster
    /// the scripts touch both keys together, so both must hash to one slot: a key without a hash
    /// tag is wrapped in braces (`#lease:{payment:recent:…}` hashes exactly as the key does); a
    /// key with one keeps it, and the side key follows it. (A key with a `}` but no hash tag would
    /// defeat the braces; generated keys have none: KeyEncoder renders no brace.)
    static func sideKey(_ prefix: String, _ key: String, cluster: Bool) -> String {
        guard cluster, !HashSlot.hasHashTag(key) else { return prefix + key }
        return prefix + "{" + key + "}"
    }

    // MARK: Reads

    /// The cached value, or `nil` on a miss.
    ///
    /// An entry that no longer decodes (written by code with another value type or format) is a
    /// miss: it is removed, counted in ``decodeFailures``, and logged once per family, never an
    /// error to the caller.
    public func get<K: CacheKeyProtocol>(_ key: K) async throws -> K.Value? {
        let started = MonotonicTime.nanoseconds()
        do {
            let (value, outcome) = try await lookup(key)
            instruments.family(key.family).record(.get, outcome, started: started)
            return value
        } catch {
            instruments.family(key.family).failed(.get, error, started: started)
            throw error
        }
    }

    /// ``get(_:)`` without its metrics: the value and where it came from.
    func lookup<K: CacheKeyProtocol>(_ key: K) async throws -> (K.Value?, Outcome) {
        if let near = nearCache.get(key.key, family: key.family) {
            let value = try await decodeOrDrop(near, key)
            return (value, value == nil ? .miss : .nearHit)
        }
        let generation = nearCache.generation
        guard let stored = try stringReply(try await read(readCommand(key.key, key.family), key.family), to: "GET", key.key) else { return (nil, .miss) }
        guard let value = try await decodeOrDrop(stored, key) else { return (nil, .miss) }
        nearCache.put(key.key, stored, family: key.family, ifGeneration: generation)
        return (value, .hit)
    }

    /// The decoded value, or `nil` after removing an entry that does not decode.
    func decodeOrDrop<K: CacheKeyProtocol>(_ stored: ByteBuffer, _ key: K) async throws -> K.Value? {
        do {
            return try key.decode(stored)
        } catch let error as CodecError {
            decodeFailureCount.wrappingIncrement(ordering: .relaxed)
            instruments.family(key.family).decodeFailures.increment()
            nearCache.remove(key.key)
            // Compare-and-delete: a value written meanwhile by current code stays.
            _ = try? await scripts.run(.deleteIfEqual, keys: [key.key], arguments: [.bytes(stored)], on: redis)
            let family = key.family.description
            if loggedDecodeFailures.withLockedValue({ $0.insert(family).inserted }) {
                logger.warning(
                    "an entry of \(family) does not decode and was dropped (further ones of this family are only counted)",
                    metadata: ["family": "\(family)", "error": "\(error.description.prefix(200))"])
            }
            return nil
        }
    }

    /// Sends a read: to the replica for a `readFrom: replica` family when there is one (the
    /// primary when the replica cannot answer), otherwise to the primary.
    func read(_ command: RESPCommand, _ family: KeyFamilySpec) async throws -> RESPValue {
        guard family.readFromReplica, let replica else { return try await redis.send(command) }
        do {
            return try await replica.send(command)
        } catch is RedisConnectionError {
            replicaFallbacks.wrappingIncrement(ordering: .relaxed)
            return try await redis.send(command)
        }
    }

    /// `GET`; for a sliding family `GETEX … PX` (the TTL renewed, with jitter), or the
    /// sliding-get script when the family has a lifetime (`maxAge`).
    func readCommand(_ key: String, _ family: KeyFamilySpec) async throws -> RESPCommand {
        guard family.sliding else { return RESPCommand("GET", key) }
        let ttl = family.writeTTL(scale: ttlScale)
        guard family.maxAge != nil else {
            var command = RESPCommand("GETEX", key, "PX")
            command.append(ttl)
            return command
        }
        let sha = try await scripts.load(.slidingGet, on: redis)
        return scripts.command(.slidingGet, sha: sha, keys: [key, lifetimeKey(key)], arguments: [.integer(ttl)])
    }

    /// The command that (re)starts a sliding entry's lifetime, sent just before its value, or
    /// `nil` for families without one.
    func lifetimeCommand(_ key: String, _ family: KeyFamilySpec) -> RESPCommand? {
        Self.lifetimeCommand(lifetimeKey(key), family, scale: ttlScale)
    }

    static func lifetimeCommand(_ lifetimeKey: String, _ family: KeyFamilySpec, scale: Double) -> RESPCommand? {
        guard family.sliding, let maxAge = family.maxAge else { return nil }
        var command = RESPCommand("SET", lifetimeKey, "1", "PX")
        command.append(max(1, Int64((Double(TimeAmount(maxAge).nanoseconds / 1_000_000) * scale).rounded())))
        return command
    }

    /// How the message of a reply of the wrong type reads (the error-kind label tells them apart).
    static let unexpectedReplyMarker = "got a reply that is not"

    /// A string reply's bytes, `nil` for a miss; any other reply (an integer, `+OK`, an array, a
    /// map: a server or proxy that is not answering this command) is an error, counted in
    /// ``unexpectedReplies``, never a silent miss.

    func stringReply(_ reply: RESPValue, to command: String, _ key: String) throws -> ByteBuffer? {
        switch reply {
        case .bulkString(let stored): return stored
        case .null: return nil
        default:
            unexpectedReplyCount.wrappingIncrement(ordering: .relaxed)
            throw RedisError("\(command) \(key) \(Self.unexpectedReplyMarker) a string or nil: \(reply.kindDescription)")
        }
    }

    /// Reads many keys of one value type in one round trip (`MGET`).
    /// Keys of sliding families are read with one renewing read each, in one pipeline.
    public func mget<K: CacheKeyProtocol>(_ keys: [K]) async throws -> [K.Value?] {
        guard let first = keys.first else { return [] }
        let started = MonotonicTime.nanoseconds()
        do {
            let values = try await readMany(keys)
            for (key, value) in zip(keys, values) { instruments.family(key.family).record(.get, value == nil ? .miss : .hit, started: started) }
            return values
        } catch {
            instruments.family(first.family).failed(.get, error, started: started)
            throw error
        }
    }

    private func readMany<K: CacheKeyProtocol>(_ keys: [K]) async throws -> [K.Value?] {
        // A cluster cannot MGET across slots: one read per key, pipelined per node.
        if redis.isCluster || keys.contains(where: { $0.family.sliding }) {
            var commands: [RESPCommand] = []
            for key in keys { commands.append(try await readCommand(key.key, key.family)) }
            return try await decodeAll(keys, try await redis.pipeline(commands), command: "GET")
        }
        var command = RESPCommand("MGET")
        command.append(contentsOf: keys.map(\.key))
        // To the replica when every key's family reads from one.
        let reply = keys.allSatisfy(\.family.readFromReplica) ? try await read(command, keys[0].family) : try await redis.send(command)
        guard let replies = reply.elements, replies.count == keys.count else {
            throw RedisError("MGET returned an unexpected reply")
        }
        return try await decodeAll(keys, replies, command: "MGET")
    }

    /// Each reply decoded for its key: an error reply is thrown, an undecodable entry is a miss.
    private func decodeAll<K: CacheKeyProtocol>(_ keys: [K], _ replies: [RESPValue], command: String) async throws -> [K.Value?] {
        var values: [K.Value?] = []
        values.reserveCapacity(keys.count)
        for (key, reply) in zip(keys, replies) {
            if case .error(let message) = reply { throw RedisError(message) }
            guard let stored = try stringReply(reply, to: command, key.key) else {
                values.append(nil)
                continue
            }
            values.append(try await decodeOrDrop(stored, key))
        }
        return values
    }

    // MARK: Writes

    /// Writes a value with the family's TTL (jitter drawn now), joining its tag and index sets
    /// atomically: one `SET … PX`, or one script call for an entry with sets.
    public func set<Value>(_ key: CacheKey<Value>, _ value: Value) async throws {
        let started = MonotonicTime.nanoseconds()
        do {
            try await store(key, value)
            instruments.family(key.family).record(.set, .ok, started: started)
        } catch {
            instruments.family(key.family).failed(.set, error, started: started)
            throw error
        }
    }

    private func store<Value>(_ key: CacheKey<Value>, _ value: Value) async throws {
        let stored = try key.encode(value)
        let generation = nearCache.generation
        let ttl = key.family.writeTTL(scale: ttlScale)
        if let lifetime = lifetimeCommand(key.key, key.family) { try await redis.send(lifetime) }
        if key.tags.isEmpty {
            try await redis.send(Self.setCommand(key.key, stored, ttl: ttl))
        } else {
            _ = try await scripts.run(.setTagged, on: redis) { sha in
                var command = RESPCommand("EVALSHA", sha)
                command.append(key.tags.count + 1)
                command.append(key.key)
                command.append(contentsOf: key.tags)
                command.append(stored)
                command.append(ttl)
                return command
            }
        }
        nearCache.put(key.key, stored, family: key.family, ifGeneration: generation)
    }

    /// Writes many entries in one pipeline, each with its own TTL and tags.
    public func mset<Value>(_ pairs: [(CacheKey<Value>, Value)]) async throws {
        var entries = WarmupEntries()
        for (key, value) in pairs { try entries.add(key, value) }
        try await write(entries)
    }

    /// Writes encoded entries (e.g. from a warmup loader) in one pipeline: `SET … PX` for untagged
    /// entries, the tagged-write script (`EVALSHA`) for tagged ones.
    public func write(_ entries: WarmupEntries) async throws {
        guard let first = entries.entries.first else { return }
        let started = MonotonicTime.nanoseconds()
        do {
            try await writeAll(entries)
            for entry in entries.entries { instruments.family(entry.family).record(.set, .ok, started: started) }
        } catch {
            instruments.family(first.family).failed(.set, error, started: started)
            throw error
        }
    }

    private func writeAll(_ entries: WarmupEntries) async throws {
        let generation = nearCache.generation
        for attempt in 0..<2 {
            let sha = entries.entries.contains { !$0.tags.isEmpty } ? try await scripts.load(.setTagged, on: redis) : ""
            let lifetimes = entries.entries.compactMap { lifetimeCommand($0.key, $0.family) }
            let commands = lifetimes + entries.entries.map { entry in
                let ttl = entry.family.writeTTL(scale: ttlScale)
                if entry.tags.isEmpty { return Self.setCommand(entry.key, entry.value, ttl: ttl) }
                return scripts.command(.setTagged, sha: sha, keys: [entry.key] + entry.tags, arguments: [.bytes(entry.value), .integer(ttl)])
            }
            let replies = try await redis.pipeline(commands)
            if attempt == 0, replies.contains(where: { if case .error(let message) = $0 { RedisError(message).code == "NOSCRIPT" } else { false } }) {
                scripts.forget(.setTagged)
                continue
            }
            for reply in replies {
                if case .error(let message) = reply { throw RedisError(message) }
            }
            for entry in entries.entries { nearCache.put(entry.key, entry.value, family: entry.family, ifGeneration: generation) }
            return
        }
    }

    /// The source of the script a write of an entry with tag or index sets runs (benchmarks compare
    /// a typed write with this raw command).
    @_spi(Internals) public static var taggedWriteScript: String { LuaScript.setTagged.source }

    /// A cancellable wait: not started, waiting, cancelled before it started, or over.
    enum WaitState<T: Sendable> {
        case waiting
        case armed(UnsafeContinuation<T, any Error>)
        case cancelled
        case done
    }

    /// Interleaving points for tests.
    final class Hooks: Sendable {
        let beforeRemovalHook = NIOLockedValueBox<(@Sendable () async -> Void)?>(nil)

        /// Runs between a removal's local step and its command to Redis.
        func beforeRemoval() async {
            if let hook = beforeRemovalHook.withLockedValue({ $0 }) { await hook() }
        }
    }

    static func setCommand(_ key: String, _ value: ByteBuffer, ttl: Int64) -> RESPCommand {
        var command = RESPCommand("SET")
        command.append(key)
        command.append(value)
        command.append("PX")
        command.append(ttl)
        return command
    }

    /// Removes an entry (and revokes any read-through lease on it); `true` if it existed.
    ///
    /// The near-cache entry goes before the `UNLINK` (this process stops serving it at once) and
    /// again after the server acknowledged it: a concurrent read answered before the `UNLINK` ran
    /// may have stored the old value in between (see ``NearCache``).
    @discardableResult
    public func delete<K: CacheKeyProtocol>(_ key: K) async throws -> Bool {
        let started = MonotonicTime.nanoseconds()
        do {
            let removed = try await remove(key)
            instruments.family(key.family).record(.delete, .ok, started: started)
            return removed
        } catch {
            instruments.family(key.family).failed(.delete, error, started: started)
            throw error
        }
    }

    private func remove<K: CacheKeyProtocol>(_ key: K) async throws -> Bool {
        nearCache.remove(key.key)
        await hooks.beforeRemoval()
        defer { nearCache.remove(key.key) }
        if key.sets.isEmpty {
            let replies = try await redis.pipeline([RESPCommand("UNLINK", key.key), RESPCommand("UNLINK", leaseKey(key.key))])
            if case .error(let message) = replies[0] { throw RedisError(message) }
            return replies[0].int == 1
        }
        let removed = try await scripts.runEach(.deleteMember, keys: [[key.key, leaseKey(key.key)] + key.sets], on: redis)
        return removed.first?.int == 1
    }

    // MARK: Read-through

    /// The cached value, or the loader's. Concurrent misses for one key in this process run the
    /// loader once (single-flight). The loaded value is stored only if no invalidation of the key
    /// landed while the loader ran: the load holds a lease that invalidations revoke, and the store
    /// checks it atomically on the server (docs/runtime.md).
    public func fetch<Value>(_ key: CacheKey<Value>, loader: @escaping @Sendable () async throws -> Value) async throws -> Value {
        let started = MonotonicTime.nanoseconds()
        let instruments = instruments.family(key.family)
        do {
            let (value, outcome) = try await readThrough(key, loader: loader)
            instruments.record(.fetch, outcome, started: started)
            return value
        } catch {
            instruments.failed(.fetch, error, started: started)
            throw error
        }
    }

    /// ``fetch(_:loader:)`` without its metrics: the value and how it was served.
    private func readThrough<Value>(_ key: CacheKey<Value>, loader: @escaping @Sendable () async throws -> Value) async throws -> (Value, Outcome) {
        // Redis down or slow: with `failOpen`, the loader serves (nothing is stored) and the
        // breaker keeps later fetches from waiting on Redis at all.
        let decision = breaker.withLockedValue { $0.decide(now: .now) }
        if decision == .bypass {
            guard degradation == .failOpen else {
                throw RedisConnectionError(.unavailable, "Redis is bypassed: the circuit breaker is open after repeated connection failures")
            }
            return (try await timedLoad(key, loader), .degraded)
        }
        let cached: Value?
        let outcome: Outcome
        do {
            if key.family.refreshAhead != nil {
                let (value, remaining, from) = try await getWithRemainingTTL(key)
                if value != nil, let remaining { refreshEarlyIfDue(key, remaining: remaining, loader: loader) }
                (cached, outcome) = (value, from)
            } else {
                (cached, outcome) = try await lookup(key)
            }
            breakerSucceeded(decision)
        } catch let error as RedisConnectionError {
            breakerFailed(decision, error)
            guard degradation == .failOpen else { throw error }
            instruments.family(key.family).counted(error)
            return (try await timedLoad(key, loader), .degraded)
        }
        if let cached { return (cached, outcome) }
        let (task, joined): (Task<any Sendable, any Error>, Bool) = flights.withLockedValue { flights in
            if let running = flights[key.key] { return (running, true) }
            let task = Task<any Sendable, any Error> {
                defer { _ = self.flights.withLockedValue { $0.removeValue(forKey: key.key) } }
                return try await self.load(key, loader: loader)
            }
            flights[key.key] = task
            return (task, false)
        }
        guard let value = try await Self.waitCancellably(for: task) as? Value else {
            throw CodecError("a concurrent fetch of \(key.key) produced another value type")
        }
        return (value, joined ? .coalesced : .loaded)
    }

    /// Runs a loader, timing it (``MetricName/loaderDuration``).
    private func timedLoad<Value>(_ key: CacheKey<Value>, _ loader: () async throws -> Value) async throws -> Value {
        let started = MonotonicTime.nanoseconds()
        defer { instruments.family(key.family).loader.recordNanoseconds(Int64(truncatingIfNeeded: MonotonicTime.nanoseconds() &- started)) }
        return try await loader()
    }

    /// The task's value; a cancelled caller stops waiting at once (`CancellationError`) while the
    /// task goes on for its other waiters.
    static func waitCancellably<T: Sendable>(for task: Task<T, any Error>) async throws -> T {
        let state = NIOLockedValueBox<WaitState<T>>(.waiting)
        return try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<T, any Error>) in
                let cancelled = state.withLockedValue { state -> Bool in
                    if case .cancelled = state { return true }
                    state = .armed(continuation)
                    return false
                }
                if cancelled { return continuation.resume(throwing: CancellationError()) }
                Task {
                    let result = await task.result
                    state.withLockedValue { state -> UnsafeContinuation<T, any Error>? in
                        defer { state = .done }
                        if case .armed(let continuation) = state { return continuation }
                        return nil
                    }?.resume(with: result)
                }
            }
        } onCancel: {
            state.withLockedValue { state -> UnsafeContinuation<T, any Error>? in
                defer { if case .waiting = state { state = .cancelled } else { state = .done } }
                if case .armed(let continuation) = state { return continuation }
                return nil
            }?.resume(throwing: CancellationError())
        }
    }

    /// The value and its remaining TTL in milliseconds, in one round trip (`GET` and `PTTL`).
    private func getWithRemainingTTL<Value>(_ key: CacheKey<Value>) async throws -> (Value?, Int64?, Outcome) {
        if let near = nearCache.get(key.key, family: key.family) {
            let value = try await decodeOrDrop(near, key)
            return (value, nil, value == nil ? .miss : .nearHit)
        }
        let replies = try await redis.pipeline([try await readCommand(key.key, key.family), RESPCommand("PTTL", key.key)])
        if case .error(let message) = replies[0] { throw RedisError(message) }
        guard let stored = try stringReply(replies[0], to: "GET", key.key) else { return (nil, nil, .miss) }
        let value = try await decodeOrDrop(stored, key)
        return (value, replies[1].int.flatMap { $0 >= 0 ? $0 : nil }, value == nil ? .miss : .hit)
    }

    /// Probabilistic early recomputation (XFetch, Vattani et al., VLDB 2015): in the family's
    /// refresh window, a read reloads the entry in the background with probability
    /// `exp(-remaining / δ)`, δ being the family's observed load time in this process (at least 1%
    /// of the TTL, so a fast loader still starts early enough to land before expiry), so the reload
    /// usually lands just before expiry and a hot key never expires under load. One reload
    /// per key and process at a time (the single-flight table), under the usual lease rules.
    private func refreshEarlyIfDue<Value>(_ key: CacheKey<Value>, remaining: Int64, loader: @escaping @Sendable () async throws -> Value) {
        guard let ahead = key.family.refreshAhead else { return }
        let window = Double(key.family.scaledTTLMilliseconds(ttlScale)) * ahead
        guard Double(remaining) < window else { return }
        let floor = max(1, Double(key.family.scaledTTLMilliseconds(ttlScale)) / 100)
        let delta = max(floor, loadMilliseconds.withLockedValue { $0[key.family.description] } ?? window / 10)
        var generator = JitterGenerator()
        let draw = Double.random(in: Double.ulpOfOne..<1, using: &generator)
        guard Double(remaining) <= delta * -log(draw) else { return }
        flights.withLockedValue { flights in
            guard flights[key.key] == nil else { return }
            flights[key.key] = Task<any Sendable, any Error> {
                defer { _ = self.flights.withLockedValue { $0.removeValue(forKey: key.key) } }
                earlyRefreshCount.wrappingIncrement(ordering: .relaxed)
                instruments.family(key.family).earlyRefreshes.increment()
                return try await self.load(key, loader: loader)
            }
        }
    }

    private func breakerSucceeded(_ decision: CircuitBreaker.Decision) {
        let closed = breaker.withLockedValue { breaker -> Bool in
            let wasOpen = breaker.isOpen
            breaker.succeeded()
            return wasOpen
        }
        if closed, decision == .probe {
            logger.info("Redis answers again: the circuit breaker closed")
            instruments.breakerClosed.increment()
            instruments.breaker(breakerState)
        }
    }

    private func breakerFailed(_ decision: CircuitBreaker.Decision, _ error: RedisConnectionError) {
        let opened = breaker.withLockedValue { breaker -> Bool in
            let wasOpen = breaker.isOpen
            breaker.failed(now: .now)
            return !wasOpen && breaker.isOpen
        }
        if opened {
            logger.warning("Redis fails (\(error.kind)): the circuit breaker opened; fetches use their loaders")
            instruments.breakerOpened.increment()
            instruments.breaker(breakerState)
        }
    }

    private func load<Value>(_ key: CacheKey<Value>, loader: @Sendable () async throws -> Value) async throws -> Value {
        let token = String(UInt64.random(in: 1...UInt64.max), radix: 36)
        let leaseMilliseconds = TimeAmount(leaseTTL).nanoseconds / 1_000_000
        do {
            _ = try await scripts.run(
                .acquireLease, keys: [leaseKey(key.key)] + key.tags,
                arguments: [.string(token), .integer(leaseMilliseconds), .string(key.key)], on: redis)
        } catch let error as RedisConnectionError where degradation == .failOpen {
            // Redis went away between the read and the lease: serve the load without storing it.
            breakerFailed(.use, error)
            return try await timedLoad(key, loader)
        }
        let started = ContinuousClock.now
        let value = try await timedLoad(key, loader)
        if key.family.refreshAhead != nil { recordLoadTime(ContinuousClock.now - started, key.family) }
        let stored = try key.encode(value)
        do {
            if let lifetime = lifetimeCommand(key.key, key.family) { try await redis.send(lifetime) }
            let generation = nearCache.generation
            let kept = try await scripts.run(
                .storeWithLease, keys: [key.key, leaseKey(key.key)] + key.tags,
                arguments: [.string(token), .bytes(stored), .integer(key.family.writeTTL(scale: ttlScale))], on: redis)
            if kept.int == 1 {
                nearCache.put(key.key, stored, family: key.family, ifGeneration: generation)
            } else {
                instruments.family(key.family).leaseRefused.increment()
            }
        } catch let error as RedisConnectionError where degradation == .failOpen {
            // The value is loaded; only caching it failed.
            breakerFailed(.use, error)
        }
        return value
    }
}
