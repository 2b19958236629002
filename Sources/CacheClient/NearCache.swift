import CacheRuntime
import NIOConcurrencyHelpers
import NIOCore

/// An in-process cache in front of Redis for families that declare `nearCache: { entries: N }`:
/// bounded per family by entry count (an O(1) ``LRUCache``: least recently used out), expiring
/// with the family's TTL, and dropped on every invalidation this process applies or receives.
///
/// Families watched by a ``NearCacheTracker`` are served only while its tracking connection is
/// up: whoever writes their keys, Redis tells the tracker, so no write can leave a stale copy here.
///
/// Reads race removals. A read records the ``generation`` before asking Redis and stores its
/// reply only if no removal happened meanwhile (the reply may predate the removal). A removal that
/// this process makes on the server (``CacheClient/delete(_:)``, invalidation plans) removes the
/// local entry again once the server has acknowledged it: a read that was answered before the
/// server removed the key, and stored its reply before the acknowledgement, loses it then; one
/// that stores later fails the generation check.
@_spi(Internals)
public final class NearCache: Sendable {
    /// Families by service and name (no string is built per lookup).
    struct FamilyID: Hashable, Sendable {
        let service: String
        let name: String

        init(_ spec: KeyFamilySpec) {
            service = spec.service
            name = spec.name
        }
    }

    private struct State {
        /// Each family's entries, found through `familyIndex`; an array so that removals can walk
        /// every family in place.
        var families: [LRUCache<ByteBuffer>] = []
        var familyIndex: [FamilyID: Int] = [:]
        var familyIDs: [FamilyID] = []
        /// Bumped by every removal, so reads that raced an invalidation do not store.
        var generation: UInt64 = 0
        /// Families a tracker watches, and whether its tracking connection is up.
        var tracked: Set<FamilyID> = []
        var trackingActive = false

        func serves(_ id: FamilyID) -> Bool {
            trackingActive || tracked.isEmpty || !tracked.contains(id)
        }
    }

    private let state = NIOLockedValueBox(State())

    public init() {}

    /// Where removals stand; pass it to ``put(_:_:family:ifGeneration:)``.
    public var generation: UInt64 { state.withLockedValue { $0.generation } }

    /// The entry, made the family's most recently used; `nil` if absent, expired or not served.
    public func get(_ key: String, family spec: KeyFamilySpec) -> ByteBuffer? {
        guard spec.nearCacheEntries != nil else { return nil }
        let id = FamilyID(spec)
        let now = ContinuousClock.now
        return state.withLockedValue { state in
            guard state.serves(id), let family = state.familyIndex[id] else { return nil }
            return state.families[family].value(forKey: key, now: now)
        }
    }

    /// Stores a value read or written at `generation`, unless a removal came in since.
    public func put(_ key: String, _ value: ByteBuffer, family spec: KeyFamilySpec, ifGeneration generation: UInt64) {
        guard let capacity = spec.nearCacheEntries, capacity > 0 else { return }
        let id = FamilyID(spec)
        let expires = ContinuousClock.now + .milliseconds(spec.ttlRange.lowerBound)
        state.withLockedValue { state in
            guard state.serves(id), state.generation == generation else { return }
            let family: Int
            if let known = state.familyIndex[id] {
                family = known
            } else {
                family = state.families.count
                state.families.append(LRUCache(capacity: capacity))
                state.familyIDs.append(id)
                state.familyIndex[id] = family
            }
            state.families[family].set(key, value, expires: expires)
        }
    }

    /// Removes `key` from every family (a key belongs to one, but removals by name do not say which).
    public func remove(_ key: String) {
        state.withLockedValue { state in
            state.generation &+= 1
            for family in state.families.indices { state.families[family].removeValue(forKey: key) }
        }
    }

    func removeAll(service: String) {
        state.withLockedValue { state in
            state.generation &+= 1
            for family in state.families.indices where state.familyIDs[family].service == service { state.families[family].removeAll() }
        }
    }

    func removeAll() {
        state.withLockedValue { state in
            state.generation &+= 1
            for family in state.families.indices { state.families[family].removeAll() }
        }
    }

    /// Entries held for a family (for tests and diagnostics).
    func count(family spec: KeyFamilySpec) -> Int {
        state.withLockedValue { state in state.familyIndex[FamilyID(spec)].map { state.families[$0].count } ?? 0 }
    }

    /// Families whose entries are kept only while tracking is up.
    func track(_ families: [KeyFamilySpec]) {
        state.withLockedValue { state in state.tracked.formUnion(families.map(FamilyID.init)) }
    }

    /// Tracking came up or went down: either way, what is cached may have missed invalidations.
    func setTrackingActive(_ active: Bool) {
        state.withLockedValue { state in
            state.trackingActive = active
            state.generation &+= 1
            for family in state.families.indices where state.tracked.contains(state.familyIDs[family]) { state.families[family].removeAll() }
        }
    }
}
