import NIOConcurrencyHelpers

/// A service's recent traffic, for its health report: requests, hits and misses, errors and a
/// latency histogram over a sliding window of one-second buckets (a minute by default).
public final class ServiceStatistics: Sendable {
    /// What the window holds, summed.
    public struct Snapshot: Sendable, Hashable {
        public var requests = 0
        /// Reads answered from the cache (Redis or the near cache).
        public var hits = 0
        /// Reads that found nothing (and loads for `fetch`).
        public var misses = 0
        public var errors = 0
        /// Latency histogram: bucket `i` counts operations that took less than 2^i µs.
        public var latency = [Int](repeating: 0, count: ServiceStatistics.latencyBuckets)

        /// Hits over reads, or `nil` without reads.
        public var hitRate: Double? { hits + misses == 0 ? nil : Double(hits) / Double(hits + misses) }
        /// Errors over requests, or `nil` without requests.
        public var errorRate: Double? { requests == 0 ? nil : Double(errors) / Double(requests) }

        /// The latency under which `quantile` of the operations finished (a bucket's upper bound,
        /// so within a factor of two), or `nil` without operations.
        public func latency(quantile: Double) -> Duration? {
            let total = latency.reduce(0, +)
            guard total > 0 else { return nil }
            let rank = max(1, Int((Double(total) * quantile).rounded(.up)))
            var seen = 0
            for (index, count) in latency.enumerated() {
                seen += count
                if seen >= rank { return .microseconds(1 << index) }
            }
            return .microseconds(1 << (latency.count - 1))
        }
    }

    static let latencyBuckets = 26  // up to 2^25 µs, about 33 s

    private struct Bucket {
        var second: UInt64 = .max
        var snapshot = Snapshot()
    }

    public let window: Duration
    private let buckets: NIOLockedValueBox<[Bucket]>

    /// - Parameter window: whole seconds; a snapshot holds the current second and this many before
    ///   it, so it never looks at less than the window.
    public init(window: Duration = .seconds(60)) {
        let seconds = max(1, Int(window.components.seconds))
        self.window = .seconds(seconds)
        buckets = NIOLockedValueBox([Bucket](repeating: Bucket(), count: seconds + 1))
    }

    func record(_ operation: Operation, _ outcome: Outcome, nanoseconds: UInt64, now: UInt64 = MonotonicTime.coarseNanoseconds()) {
        let second = now / 1_000_000_000
        let microseconds = max(1, nanoseconds / 1_000)
        let bucket = min(Self.latencyBuckets - 1, 64 - microseconds.leadingZeroBitCount)
        buckets.withLockedValue { buckets in
            let index = Int(second % UInt64(buckets.count))
            if buckets[index].second != second { buckets[index] = Bucket(second: second) }
            buckets[index].snapshot.requests += 1
            switch outcome {
            case .hit, .nearHit: buckets[index].snapshot.hits += 1
            case .miss, .loaded, .coalesced: buckets[index].snapshot.misses += 1
            // A fetch served by its loader because Redis failed is an error of the cache.
            case .error, .degraded: buckets[index].snapshot.errors += 1
            case .ok: break
            }
            buckets[index].snapshot.latency[bucket] += 1
        }
    }

    /// The window's totals.
    public func snapshot() -> Snapshot { snapshot(at: MonotonicTime.coarseNanoseconds()) }

    func snapshot(at now: UInt64) -> Snapshot {
        let second = now / 1_000_000_000
        return buckets.withLockedValue { buckets in
            var total = Snapshot()
            for bucket in buckets where bucket.second != .max && second &- bucket.second < UInt64(buckets.count) {
                total.requests += bucket.snapshot.requests
                total.hits += bucket.snapshot.hits
                total.misses += bucket.snapshot.misses
                total.errors += bucket.snapshot.errors
                for index in total.latency.indices { total.latency[index] += bucket.snapshot.latency[index] }
            }
            return total
        }
    }
}
