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
        /// Every near-cached entry, one LRU segment per family (capacity: its `entries`).
        var entries = LRUCache<ByteBuffer>()
        var segments: [FamilyID: Int] = [:]
        var families: [FamilyID] = []
        /// Bumped by every removal, so reads that raced an invalidation do not store.
        var generation: UInt64 = 0
        /// By segment: whether a tracker watches the family (then it is served only while the
        /// tracking connection is up).
        var tracked: [Bool] = []
        var trackingActive = false

        func serves(_ segment: Int) -> Bool {
            trackingActive || !tracked[segment]
        }

        mutating func segment(for id: FamilyID, capacity: Int) -> Int {
            if let segment = segments[id] { return segment }
            let segment = entries.addSegment(capacity: capacity)
            segments[id] = segment
            families.append(id)
            tracked.append(false)
            return segment
        }
    }

    private let state = NIOLockedValueBox(State())

    /// Entries live as long as their family's shortest TTL multiplied by this.
    let ttlScale: Double

    public init(ttlScale: Double = 1) {
        self.ttlScale = ttlScale
    }

    /// Where removals stand; pass it to ``put(_:_:family:ifGeneration:)``.
    public var generation: UInt64 { state.withLockedValue { $0.generation } }

    /// The entry, made the family's most recently used; `nil` if absent, expired or not served.
    /// One hash of the key: entries of every family share one index.
    public func get(_ key: String, family spec: KeyFamilySpec) -> ByteBuffer? {
        guard spec.nearCacheEntries != nil else { return nil }
        let now = MonotonicTime.coarseNanoseconds()
        return state.withLockedValue { state in
            guard let (value, segment) = state.entries.entry(forKey: key, now: now), state.serves(segment) else { return nil }
            return value
        }
    }

    /// Stores a value read or written at `generation`, unless a removal came in since.
    public func put(_ key: String, _ value: ByteBuffer, family spec: KeyFamilySpec, ifGeneration generation: UInt64) {
        guard let capacity = spec.nearCacheEntries, capacity > 0 else { return }
        let id = FamilyID(spec)
        let expires = MonotonicTime.coarseNanoseconds() &+ UInt64(spec.ttlRange(scale: ttlScale).lowerBound) &* 1_000_000
        state.withLockedValue { state in
            guard state.generation == generation else { return }
            let segment = state.segment(for: id, capacity: capacity)
            guard state.serves(segment) else { return }
            state.entries.set(key, value, expires: expires, segment: segment)
        }
    }

    public func remove(_ key: String) {
        state.withLockedValue { state in
            state.generation &+= 1
            state.entries.removeValue(forKey: key)
        }
    }

    func removeAll(service: String) {
        state.withLockedValue { state in
            state.generation &+= 1
            for (segment, id) in state.families.enumerated() where id.service == service { state.entries.removeAll(segment: segment) }
        }
    }

    func removeAll() {
        state.withLockedValue { state in
            state.generation &+= 1
            state.entries.removeAll()
        }
    }

    /// Entries held for a family (for tests and diagnostics).
    func count(family spec: KeyFamilySpec) -> Int {
        state.withLockedValue { state in state.segments[FamilyID(spec)].map { state.entries.count(segment: $0) } ?? 0 }
    }

    /// Families whose entries are kept only while tracking is up.
    func track(_ families: [KeyFamilySpec]) {
        state.withLockedValue { state in
            for spec in families {
                guard let capacity = spec.nearCacheEntries, capacity > 0 else { continue }
                state.tracked[state.segment(for: FamilyID(spec), capacity: capacity)] = true
            }
        }
    }

    /// Tracking came up or went down: either way, what is cached may have missed invalidations.
    func setTrackingActive(_ active: Bool) {
        state.withLockedValue { state in
            state.trackingActive = active
            state.generation &+= 1
            for segment in state.tracked.indices where state.tracked[segment] { state.entries.removeAll(segment: segment) }
        }
    }
}
