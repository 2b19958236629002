/// What a keyspace audit found (``KeyspaceAudit``), per service and key family; JSON for
/// `cachepolicy-audit --format json`. Key names appear only when the audit was asked to show them.
public struct AuditReport: Sendable, Codable, Hashable {
    /// A memory estimate from sampled `MEMORY USAGE`: the sample's mean times the key count, with
    /// the 95% margin of that extrapolation (zero when every key was measured).
    public struct Memory: Sendable, Codable, Hashable {
        public var sampledKeys = 0
        public var sampledBytes = 0
        public var estimatedBytes = 0
        public var marginBytes = 0
        /// Sum of squared sizes of the sample (for the margin), not reported.
        var squares: Double = 0

        private enum CodingKeys: String, CodingKey {
            case sampledKeys, sampledBytes, estimatedBytes, marginBytes
        }

        mutating func sample(_ bytes: Int) {
            sampledKeys += 1
            sampledBytes += bytes
            squares += Double(bytes) * Double(bytes)
        }

        /// Extrapolates the sample to `count` keys.
        mutating func extrapolate(to count: Int) {
            guard sampledKeys > 0 else { return }
            let n = Double(sampledKeys)
            let mean = Double(sampledBytes) / n
            estimatedBytes = Int((mean * Double(count)).rounded())
            guard sampledKeys < count, sampledKeys > 1 else {
                marginBytes = 0
                return
            }
            let variance = max(0, (squares - n * mean * mean) / (n - 1))
            // Finite population correction: the margin shrinks to zero as the sample covers all keys.
            let correction = (Double(count) - n) / Double(count - 1)
            marginBytes = Int((1.96 * Double(count) * (variance / n * correction).squareRoot()).rounded())
        }
    }

    /// Keys by remaining TTL.
    public struct TTLDistribution: Sendable, Codable, Hashable {
        public var underOneMinute = 0
        public var underTenMinutes = 0
        public var underOneHour = 0
        public var underOneDay = 0
        public var oneDayOrMore = 0
        public var none = 0

        mutating func add(milliseconds: Int64) {
            switch milliseconds {
            case ..<0: none += 1
            case ..<60_000: underOneMinute += 1
            case ..<600_000: underTenMinutes += 1
            case ..<3_600_000: underOneHour += 1
            case ..<86_400_000: underOneDay += 1
            default: oneDayOrMore += 1
            }
        }
    }

    public struct Family: Sendable, Codable, Hashable {
        public var name: String
        public var pattern: String
        public var declaredTTLMilliseconds: Int64
        public var keys = 0
        /// Keys without a TTL: they never expire (a write outside the runtime, or a bug).
        public var withoutTTL = 0
        /// Keys whose remaining TTL exceeds the declared TTL (with 50% slack for jitter): written
        /// with another TTL than the policy's.
        public var ttlAboveDeclared = 0
        public var ttl = TTLDistribution()
        public var memory = Memory()
    }

    public struct Sets: Sendable, Codable, Hashable {
        public var count = 0
        public var members = 0
        public var largest = 0
        public var withoutTTL = 0
    }

    public struct Service: Sendable, Codable, Hashable {
        public var name: String
        public var families: [Family]
        public var tagSets = Sets()
        public var indexSets = Sets()
        /// Read-through leases present (each expires with its lease TTL; many means loads that died).
        public var leases = 0
        /// Leases without a TTL: left behind for good.
        public var leasesWithoutTTL = 0
        public var lifetimeMarkers = 0
        public var warmupLocks = 0
        /// The families' estimated memory, summed.
        public var estimatedBytes: Int { families.reduce(0) { $0 + $1.memory.estimatedBytes } }
    }

    public struct Orphans: Sendable, Codable, Hashable {
        public var keys = 0
        public var withoutTTL = 0
        public var memory = Memory()
        /// Orphans per first segment (`legacy:…` counts under `legacy`); only with key names shown.
        public var byPrefix: [String: Int]?
    }

    public struct LargeKey: Sendable, Codable, Hashable {
        /// `service.family`, or `orphan`, or the kind of internal key.
        public var owner: String
        public var bytes: Int
        /// Only when key names are shown.
        public var key: String?
    }

    /// Keys the scan visited.
    public var scanned = 0
    /// `DBSIZE` when the audit started.
    public var databaseSize = 0
    /// Where to resume (`--cursor`); `"0"` when the scan went all the way round.
    public var cursor = "0" {
        didSet { complete = cursor == "0" }
    }
    /// The scan went all the way round.
    public private(set) var complete = true
    public var sampleRate: Double
    public var services: [Service]
    public var orphans = Orphans()
    public var eventStreams = 0
    /// The largest keys measured (all keys at a sample rate of 1), largest first.
    public var largest: [LargeKey] = []

    init(families: [AuditFamily], sampleRate: Double) {
        self.sampleRate = sampleRate
        let byService = Dictionary(grouping: families, by: \.service)
        services = byService.keys.sorted().map { name in
            Service(name: name, families: byService[name]!.sorted { $0.name < $1.name }.map {
                Family(name: $0.name, pattern: $0.pattern, declaredTTLMilliseconds: $0.ttlMilliseconds)
            })
        }
    }
}
