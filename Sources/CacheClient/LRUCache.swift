/// A bounded map that forgets its least recently used entry: O(1) lookup, insert, update and
/// removal, updated in place. Entries live in one array of slots linked newest to oldest by index
/// (no node objects, no allocation per operation once the slots exist); a dictionary maps keys to
/// slots. Entries also carry an expiry, checked on read.
struct LRUCache<Value> {
    fileprivate struct Slot {
        var key: String
        /// `nil` once removed, so a freed slot does not keep the value alive.
        var value: Value?
        var expires: ContinuousClock.Instant
        var newer = -1
        var older = -1
    }

    let capacity: Int
    private var index: [String: Int] = [:]
    private var slots: [Slot] = []
    private var free: [Int] = []
    private var newest = -1
    private var oldest = -1

    init(capacity: Int) {
        precondition(capacity > 0, "an LRU cache holds at least one entry")
        self.capacity = capacity
    }

    var count: Int { index.count }
    var isEmpty: Bool { index.isEmpty }

    /// The value, made the most recently used; an expired entry is removed and `nil` returned.
    mutating func value(forKey key: String, now: ContinuousClock.Instant) -> Value? {
        guard let slot = index[key] else { return nil }
        guard slots[slot].expires > now else {
            unlink(slot)
            release(slot, key: key)
            return nil
        }
        moveToFront(slot)
        return slots[slot].value
    }

    /// Inserts or replaces, making it the most recently used; evicts the least recently used
    /// entry when full.
    mutating func set(_ key: String, _ value: Value, expires: ContinuousClock.Instant) {
        if let slot = index[key] {
            slots[slot].value = value
            slots[slot].expires = expires
            moveToFront(slot)
            return
        }
        if index.count == capacity, oldest >= 0 {
            let evicted = oldest
            unlink(evicted)
            release(evicted, key: slots[evicted].key)
        }
        let slot: Int
        if let reused = free.popLast() {
            slot = reused
            slots[slot] = Slot(key: key, value: value, expires: expires)
        } else {
            slot = slots.count
            slots.append(Slot(key: key, value: value, expires: expires))
        }
        index[key] = slot
        pushFront(slot)
    }

    @discardableResult
    mutating func removeValue(forKey key: String) -> Value? {
        guard let slot = index[key] else { return nil }
        let value = slots[slot].value
        unlink(slot)
        release(slot, key: key)
        return value
    }

    mutating func removeAll() {
        index.removeAll(keepingCapacity: true)
        slots.removeAll(keepingCapacity: true)
        free.removeAll(keepingCapacity: true)
        newest = -1
        oldest = -1
    }

    /// Keys from the most to the least recently used (for tests and diagnostics).
    var keysByRecency: [String] {
        var keys: [String] = []
        var slot = newest
        while slot >= 0 {
            keys.append(slots[slot].key)
            slot = slots[slot].older
        }
        return keys
    }

    private mutating func release(_ slot: Int, key: String) {
        index[key] = nil
        slots[slot].value = nil
        slots[slot].key = ""
        free.append(slot)
    }

    private mutating func moveToFront(_ slot: Int) {
        guard slot != newest else { return }
        unlink(slot)
        pushFront(slot)
    }

    private mutating func pushFront(_ slot: Int) {
        slots[slot].newer = -1
        slots[slot].older = newest
        if newest >= 0 { slots[newest].newer = slot }
        newest = slot
        if oldest < 0 { oldest = slot }
    }

    private mutating func unlink(_ slot: Int) {
        let newer = slots[slot].newer, older = slots[slot].older
        if newer >= 0 { slots[newer].older = older } else { newest = older }
        if older >= 0 { slots[older].newer = newer } else { oldest = newer }
        slots[slot].newer = -1
        slots[slot].older = -1
    }
}

extension LRUCache: Sendable where Value: Sendable {}
extension LRUCache.Slot: Sendable where Value: Sendable {}
