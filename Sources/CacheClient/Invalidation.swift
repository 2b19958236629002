import CacheRuntime
import RESP

/// What an invalidation removed.
public struct InvalidationResult: Sendable, Hashable {
    /// Keys removed by name.
    public var keys = 0
    /// Member keys removed through tag sets.
    public var tagMembers = 0
    /// Keys removed through the index sets of patterns.
    public var indexMembers = 0
    /// Keys removed through `SCAN MATCH` patterns (`scan: true`).
    public var patternMatches = 0

    public init(keys: Int = 0, tagMembers: Int = 0, indexMembers: Int = 0, patternMatches: Int = 0) {
        self.keys = keys
        self.tagMembers = tagMembers
        self.indexMembers = indexMembers
        self.patternMatches = patternMatches
    }

    public var total: Int { keys + tagMembers + indexMembers + patternMatches }
}

extension CacheClient {
    /// Applies a plan: keys with `UNLINK`, each tag and index set with one script call (members and
    /// the set in one round trip, cost proportional to the members), `scan: true` patterns with
    /// `SCAN MATCH` in batches (never `KEYS`). Leases on removed keys are revoked too, so loads in
    /// flight do not store stale values.
    @discardableResult
    public func invalidate(_ plan: InvalidationPlan) async throws -> InvalidationResult {
        let started = MonotonicTime.nanoseconds()
        let result = try await apply(plan)
        instruments.service(plan.service).invalidated(plan, result, started: started)
        return result
    }

    private func apply(_ plan: InvalidationPlan) async throws -> InvalidationResult {
        var result = InvalidationResult()
        // Local entries go before the server's and again after (see `delete`): reads that raced
        // the removal cannot leave an old value behind.
        for key in plan.keys { nearCache.remove(key) }
        let bySet = !plan.tags.isEmpty || !plan.indexes.isEmpty || !plan.patterns.isEmpty
        if bySet { nearCache.removeAll(service: plan.service) }
        defer {
            for key in plan.keys { nearCache.remove(key) }
            if bySet { nearCache.removeAll(service: plan.service) }
        }
        if !plan.keys.isEmpty {
            // Keys with index sets leave them atomically; the others go in one UNLINK.
            let members = plan.keys.indices.filter { $0 < plan.keyIndexes.count && !plan.keyIndexes[$0].isEmpty }
            let plain = plan.keys.indices.filter { !members.contains($0) }.map { plan.keys[$0] }
            if !plain.isEmpty {
                result.keys += try await unlink(plain)
                _ = try await unlink(plain.map(leaseKey))
            }
            let removed = try await scripts.runEach(
                .deleteMember, keys: members.map { [plan.keys[$0], leaseKey(plan.keys[$0])] + plan.keyIndexes[$0] }, on: redis)
            result.keys += removed.reduce(0) { $0 + Int($1.int ?? 0) }
        }
        // Every tag and index set in one round trip.
        let removed = try await scripts.runEach(
            .invalidateSet, keys: (plan.tags + plan.indexes).map { [$0] }, arguments: [.string(redis.isCluster ? "1" : "0")], on: redis)
        for (offset, reply) in removed.enumerated() {
            if offset < plan.tags.count { result.tagMembers += Int(reply.int ?? 0) } else { result.indexMembers += Int(reply.int ?? 0) }
        }
        for pattern in plan.patterns {
            result.patternMatches += try await unlinkMatching(pattern)
            _ = try await unlinkMatching("#lease:" + pattern)
            if redis.isCluster { _ = try await unlinkMatching("#lease:{" + pattern + "}") }
        }
        // Tag members and pattern matches are not known locally: the near cache's entries of this
        // service are dropped (by the `defer` above, after the server's removal).
        return result
    }

    /// `UNLINK` of many keys: one command on one server; on a cluster, one per key (a command's
    /// keys must share a slot), pipelined per node. Returns how many existed.
    func unlink(_ keys: [String], on client: (any RedisTransport)? = nil) async throws -> Int {
        guard !keys.isEmpty else { return 0 }
        let commands: [RESPCommand]
        if redis.isCluster {
            commands = keys.map { RESPCommand("UNLINK", $0) }
        } else {
            var command = RESPCommand("UNLINK")
            command.append(contentsOf: keys)
            commands = [command]
        }
        var removed = 0
        for reply in try await (client ?? redis).pipeline(commands) {
            if case .error(let message) = reply { throw RedisError(message) }
            removed += Int(reply.int ?? 0)
        }
        return removed
    }

    /// `SCAN 0 MATCH pattern COUNT n` until the cursor returns to 0, unlinking each page; on a
    /// cluster, on every primary.
    func unlinkMatching(_ pattern: String) async throws -> Int {
        var removed = 0
        for primary in try await redis.primaries() { removed += try await unlinkMatching(pattern, on: primary) }
        return removed
    }

    private func unlinkMatching(_ pattern: String, on primary: RedisClient) async throws -> Int {
        var cursor = "0"
        var removed = 0
        repeat {
            var scan = RESPCommand("SCAN")
            scan.append(cursor)
            scan.append("MATCH")
            scan.append(pattern)
            scan.append("COUNT")
            scan.append(scanBatch)
            guard let page = try await primary.send(scan).elements, page.count == 2,
                  let next = page[0].string, let keys = page[1].elements
            else { throw RedisError("SCAN returned an unexpected reply") }
            cursor = next
            removed += try await unlink(keys.compactMap(\.string), on: primary)
        } while cursor != "0"
        return removed
    }
}
