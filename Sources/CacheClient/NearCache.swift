import CacheRuntime
import NIOConcurrencyHelpers
import NIOCore

/// An in-process cache in front of Redis for families that declare `nearCache: { entries: N }`:
/// bounded per family by entry count (least recently used out), expiring with the family's TTL,
/// and dropped on every invalidation this process applies or receives.
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

    /// Family description (`service.name`) → its entries.
    private let families = NIOLockedValueBox([String: Family]())

    func get(_ key: String, family spec: KeyFamilySpec) -> ByteBuffer? {
        guard spec.nearCacheEntries != nil else { return nil }
        return families.withLockedValue { families in
            guard var family = families[spec.description], var entry = family.entries[key] else { return nil }
            guard entry.expires > .now else {
                family.entries[key] = nil
                families[spec.description] = family
                return nil
            }
            family.clock += 1
            entry.lastUse = family.clock
            family.entries[key] = entry
            families[spec.description] = family
            return entry.value
        }
    }

    func put(_ key: String, _ value: ByteBuffer, family spec: KeyFamilySpec) {
        guard let capacity = spec.nearCacheEntries else { return }
        let expires = ContinuousClock.now + .milliseconds(spec.ttlRange.lowerBound)
        families.withLockedValue { families in
            var family = families[spec.description] ?? Family()
            family.clock += 1
            family.entries[key] = Entry(value: value, expires: expires, lastUse: family.clock)
            if family.entries.count > capacity, let oldest = family.entries.min(by: { $0.value.lastUse < $1.value.lastUse }) {
                family.entries[oldest.key] = nil
            }
            families[spec.description] = family
        }
    }

    func remove(_ key: String) {
        families.withLockedValue { families in
            for name in families.keys { families[name]?.entries[key] = nil }
        }
    }

    func removeAll(service: String) {
        families.withLockedValue { families in
            for name in families.keys where name.hasPrefix(service + ".") { families[name] = nil }
        }
    }
}
