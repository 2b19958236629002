import Atomics
import NIOConcurrencyHelpers

/// Where a warmup loader's entries go. Each entry is encoded as it is added; every `batch`
/// entries are handed to `deliver`, and `add` does not return until `deliver` has taken them, so
/// a consumer that is busy (all its batches in flight) pauses the loader. A loader of a million
/// entries therefore holds a few batches at a time, never the whole job.
///
/// The warmup runner makes one per run; a test of a loader can make one that collects batches.
public final class WarmupSink: Sendable {
    /// Entries per batch handed to `deliver`.
    public let batch: Int
    private let deliver: @Sendable (WarmupEntries) async throws -> Void
    private let buffer = NIOLockedValueBox(WarmupEntries())
    private let held = ManagedAtomic<Int>(0)
    private let peak = ManagedAtomic<Int>(0)
    private let added = ManagedAtomic<Int>(0)

    /// - Parameters:
    ///   - batch: entries per delivered batch (at least 1).
    ///   - deliver: takes a full batch; the loader waits while it runs.
    public init(batch: Int, deliver: @escaping @Sendable (WarmupEntries) async throws -> Void) {
        precondition(batch > 0, "a warmup batch holds at least one entry")
        self.batch = batch
        self.deliver = deliver
    }

    /// Adds an entry, encoded with its family's codec; hands the batch on when it is full.
    /// Throws `CancellationError` once the run is cancelled, so a loader stops at its next entry.
    public func add<Value>(_ key: CacheKey<Value>, _ value: Value) async throws {
        try Task.checkCancellation()
        let entry = try CacheEntry(key, value)
        added.wrappingIncrement(ordering: .relaxed)
        let now = held.wrappingIncrementThenLoad(ordering: .relaxed)
        var seen = peak.load(ordering: .relaxed)
        while now > seen, !peak.compareExchange(expected: seen, desired: now, ordering: .relaxed).exchanged {
            seen = peak.load(ordering: .relaxed)
        }
        let full: WarmupEntries? = buffer.withLockedValue { entries in
            entries.append(entry)
            guard entries.count >= batch else { return nil }
            defer { entries = WarmupEntries() }
            return entries
        }
        if let full { try await deliver(full) }
    }

    /// Hands on the last, partial batch. The runner calls it after the loader returns.
    public func finish() async throws {
        let rest = buffer.withLockedValue { entries in
            defer { entries = WarmupEntries() }
            return entries
        }
        if !rest.isEmpty { try await deliver(rest) }
    }

    /// Tells the sink that the consumer is done with `count` delivered entries (written or
    /// dropped), so ``peakHeld`` counts only entries still in memory.
    public func release(_ count: Int) {
        held.wrappingDecrement(by: count, ordering: .relaxed)
    }

    /// Entries added so far.
    public var entriesAdded: Int { added.load(ordering: .relaxed) }

    /// The most entries held at once: added and not yet released by the consumer.
    public var peakHeld: Int { peak.load(ordering: .relaxed) }
}
