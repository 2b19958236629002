import CacheRuntime
import NIOConcurrencyHelpers
import NIOCore

/// An in-process cache in front of Redis for families that declare `nearCache: { entries: N }`:
/// bounded per family by entry count (least recently used out), expiring with the family's TTL,
/// and dropped on every invalidation this process applies or receives.
///
/// Families watched by a ``NearCacheTracker`` are served only while its tracking connection is
/// up: whoever writes their keys, Redis tells the tracker, so no write can leave a stale copy here.
/// A read records the ``generation`` before asking Redis and stores its reply only if no
/// invalidation arrived meanwhile (the reply may predate the write that was just announced).
final class NearCache: Sendable {
    private struct Entry {
        var value: ByteBuffer
        var expires: ContinuousClock.Instant
        var lastUse: UInt64
    }

    private struct Family {
        var entries: [String: Entry] = [:]
        var clock: UInt64 = 0
    }

    private struct State {
        /// Family description (`service.name`) → its entries.
        var families: [String: Family] = [:]
        /// Bumped by every removal, so reads that raced an invalidation do not store.
        var generation: UInt64 = 0
        /// Families a tracker watches, and whether its tracking connection is up.
        var tracked: Set<String> = []
        var trackingActive = false

        func serves(_ spec: KeyFamilySpec) -> Bool {
            spec.nearCacheEntries != nil && (trackingActive || !tracked.contains(spec.description))
        }
    }

    private let state = NIOLockedValueBox(State())

    /// Where invalidations stand; pass it to ``put(_:_:family:ifGeneration:)``.
    var generation: UInt64 { state.withLockedValue { $0.generation } }

    func get(_ key: String, family spec: KeyFamilySpec) -> ByteBuffer? {
        guard spec.nearCacheEntries != nil else { return nil }
        return state.withLockedValue { state in
            guard state.serves(spec), var family = state.families[spec.description], var entry = family.entries[key] else { return nil }
            guard entry.expires > .now else {
                family.entries[key] = nil
                state.families[spec.description] = family
                return nil
            }
            family.clock += 1
            entry.lastUse = family.clock
            family.entries[key] = entry
            state.families[spec.description] = family
            return entry.value
        }
    }

    /// Stores a value read or written at `generation`, unless an invalidation came in since.
    func put(_ key: String, _ value: ByteBuffer, family spec: KeyFamilySpec, ifGeneration generation: UInt64) {
        guard let capacity = spec.nearCacheEntries else { return }
        let expires = ContinuousClock.now + .milliseconds(spec.ttlRange.lowerBound)
        state.withLockedValue { state in
            guard state.serves(spec), state.generation == generation else { return }
            var family = state.families[spec.description] ?? Family()
            family.clock += 1
            family.entries[key] = Entry(value: value, expires: expires, lastUse: family.clock)
            if family.entries.count > capacity, let oldest = family.entries.min(by: { $0.value.lastUse < $1.value.lastUse }) {
                family.entries[oldest.key] = nil
            }
            state.families[spec.description] = family
        }
    }

    func remove(_ key: String) {
        state.withLockedValue { state in
            state.generation &+= 1
            for name in state.families.keys { state.families[name]?.entries[key] = nil }
        }
    }

    func removeAll(service: String) {
        state.withLockedValue { state in
            state.generation &+= 1
            for name in state.families.keys where name.hasPrefix(service + ".") { state.families[name] = nil }
        }
    }

    func removeAll() {
        state.withLockedValue { state in
            state.generation &+= 1
            state.families = [:]
        }
    }

    /// Families whose entries are kept only while tracking is up.
    func track(_ families: [KeyFamilySpec]) {
        state.withLockedValue { state in state.tracked.formUnion(families.map(\.description)) }
    }

    /// Tracking came up or went down: either way, what is cached may have missed invalidations.
    func setTrackingActive(_ active: Bool) {
        state.withLockedValue { state in
            state.trackingActive = active
            state.generation &+= 1
            for name in state.families.keys where state.tracked.contains(name) { state.families[name] = nil }
        }
    }
}
