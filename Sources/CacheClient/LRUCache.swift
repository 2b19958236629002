/// Bounded maps that forget their least recently used entry, several in one: each *segment* (a
/// near-cached key family) has its own capacity and recency order, and one dictionary maps every
/// key to its slot, so a lookup is one hash of the key whatever the segment. O(1) lookup, insert,
/// update and removal, updated in place: entries live in one array of slots linked newest to
/// oldest by index (no node objects, no allocation per operation once the slots exist). Entries
/// also carry an expiry (in a monotonic clock's nanoseconds, see ``MonotonicTime``), checked on read.
///
/// A key is in at most one segment: writing it to another moves it (one Redis key, one value).
struct LRUCache<Value> {
    fileprivate struct Slot {
        var key: String
        /// `nil` once removed, so a freed slot does not keep the value alive.
        var value: Value?
        var expires: UInt64
        var segment: Int
    }

    /// A slot's neighbours in its segment's recency list, kept apart from the slots so that the
    /// list's pointer chasing stays in a small, cache-friendly array.
    fileprivate struct Link {
        var newer: Int32 = -1
        var older: Int32 = -1
    }

    fileprivate struct Segment {
        let capacity: Int
        var newest = -1
        var oldest = -1
        var count = 0
    }

    private var index: [String: Int] = [:]
    private var slots: [Slot] = []
    private var links: [Link] = []
    private var free: [Int] = []
    private var segments: [Segment] = []

    init() {}

    /// A single-segment cache.
    init(capacity: Int) {
        _ = addSegment(capacity: capacity)
    }

    /// Adds a segment holding at most `capacity` entries; returns its number.
    mutating func addSegment(capacity: Int) -> Int {
        precondition(capacity > 0 && capacity < Int(Int32.max), "an LRU segment holds at least one entry, and fewer than 2³¹")
        segments.append(Segment(capacity: capacity))
        return segments.count - 1
    }

    var count: Int { index.count }
    func count(segment: Int) -> Int { segments[segment].count }

    /// The value and its segment, made the segment's most recently used; an expired entry is
    /// removed and `nil` returned.
    mutating func entry(forKey key: String, now: UInt64) -> (value: Value, segment: Int)? {
        guard let slot = index[key] else { return nil }
        guard slots[slot].expires > now, let value = slots[slot].value else {
            remove(slot)
            return nil
        }
        moveToFront(slot)
        return (value, slots[slot].segment)
    }

    mutating func value(forKey key: String, now: UInt64) -> Value? {
        entry(forKey: key, now: now)?.value
    }

    /// Inserts or replaces, making it the segment's most recently used; evicts the segment's least
    /// recently used entry when the segment is full.
    mutating func set(_ key: String, _ value: Value, expires: UInt64, segment: Int = 0) {
        if let slot = index[key] {
            if slots[slot].segment == segment {
                slots[slot].value = value
                slots[slot].expires = expires
                moveToFront(slot)
                return
            }
            remove(slot)
        }
        if segments[segment].count == segments[segment].capacity {
            remove(segments[segment].oldest)
        }
        let slot: Int
        let fresh = Slot(key: key, value: value, expires: expires, segment: segment)
        if let reused = free.popLast() {
            slot = reused
            slots[slot] = fresh
        } else {
            slot = slots.count
            slots.append(fresh)
            links.append(Link())
        }
        index[key] = slot
        pushFront(slot)
        segments[segment].count += 1
    }

    @discardableResult
    mutating func removeValue(forKey key: String) -> Value? {
        guard let slot = index[key] else { return nil }
        let value = slots[slot].value
        remove(slot)
        return value
    }

    /// Empties one segment.
    mutating func removeAll(segment: Int) {
        while segments[segment].oldest >= 0 { remove(segments[segment].oldest) }
    }

    mutating func removeAll() {
        index.removeAll(keepingCapacity: true)
        slots.removeAll(keepingCapacity: true)
        links.removeAll(keepingCapacity: true)
        free.removeAll(keepingCapacity: true)
        for segment in segments.indices { segments[segment] = Segment(capacity: segments[segment].capacity) }
    }

    /// A segment's keys from the most to the least recently used (for tests and diagnostics).
    func keysByRecency(segment: Int = 0) -> [String] {
        var keys: [String] = []
        var slot = segments[segment].newest
        while slot >= 0 {
            keys.append(slots[slot].key)
            slot = Int(links[slot].older)
        }
        return keys
    }

    private mutating func remove(_ slot: Int) {
        unlink(slot)
        segments[slots[slot].segment].count -= 1
        index[slots[slot].key] = nil
        slots[slot].value = nil
        slots[slot].key = ""
        free.append(slot)
    }

    /// The hot path of every hit: one pass over the links' memory (no per-access uniqueness or
    /// bounds checks).
    private mutating func moveToFront(_ slot: Int) {
        let segment = slots[slot].segment
        let newest = segments[segment].newest
        guard slot != newest else { return }
        var oldest = segments[segment].oldest
        links.withUnsafeMutableBufferPointer { links in
            // Not the newest, so it has a newer neighbour.
            let newer = Int(links[slot].newer), older = Int(links[slot].older)
            links[newer].older = Int32(older)
            if older >= 0 { links[older].newer = Int32(newer) } else { oldest = newer }
            links[slot].newer = -1
            links[slot].older = Int32(newest)
            links[newest].newer = Int32(slot)
        }
        segments[segment].newest = slot
        segments[segment].oldest = oldest
    }

    private mutating func pushFront(_ slot: Int) {
        let segment = slots[slot].segment
        let newest = segments[segment].newest
        links[slot].newer = -1
        links[slot].older = Int32(newest)
        if newest >= 0 { links[newest].newer = Int32(slot) }
        segments[segment].newest = slot
        if segments[segment].oldest < 0 { segments[segment].oldest = slot }
    }

    private mutating func unlink(_ slot: Int) {
        let segment = slots[slot].segment
        let newer = Int(links[slot].newer), older = Int(links[slot].older)
        if newer >= 0 { links[newer].older = Int32(older) } else { segments[segment].newest = older }
        if older >= 0 { links[older].newer = Int32(newer) } else { segments[segment].oldest = newer }
        links[slot] = Link()
    }
}

extension LRUCache: Sendable where Value: Sendable {}
extension LRUCache.Slot: Sendable where Value: Sendable {}
extension LRUCache.Link: Sendable {}
extension LRUCache.Segment: Sendable {}
