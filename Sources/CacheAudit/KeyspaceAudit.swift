import RESP

/// Scans a live Redis, read-only, and reports its keyspace against the policies: per service and
/// key family, key counts, sampled memory, TTLs, keys without TTL, tag and index sets, leases left
/// behind, orphans (keys no family declares) and the largest keys.
///
/// Only read-only commands: `SCAN` (never `KEYS`), `PTTL`, `MEMORY USAGE`, `SCARD`, `DBSIZE`. The
/// scan is paced to at most ``Settings/rate`` keys per second so production latency is unaffected,
/// and resumable: the report's `cursor` continues where a `maxKeys`-limited run stopped.
public struct KeyspaceAudit: Sendable {
    public struct Settings: Sendable, Hashable {
        /// Keys per second at most (`nil`: as fast as Redis answers).
        public var rate: Int?
        /// Keys per `SCAN` page (its `COUNT` hint).
        public var pageSize: Int
        /// Share of entries measured with `MEMORY USAGE` (systematic: every 1/rate-th key).
        public var sampleRate: Double
        /// Where to start (a cursor a previous report gave); `"0"` for the beginning.
        public var cursor: String
        /// Stop after about this many keys (the report's cursor resumes).
        public var maxKeys: Int?
        /// Put key names in the report (orphan prefixes, largest keys): they can hold personal data.
        public var showKeys: Bool
        /// How many of the largest measured keys to report.
        public var top: Int

        public init(
            rate: Int? = 1_000, pageSize: Int = 500, sampleRate: Double = 0.1, cursor: String = "0", maxKeys: Int? = nil,
            showKeys: Bool = false, top: Int = 10
        ) {
            self.rate = rate
            self.pageSize = pageSize
            self.sampleRate = min(1, max(0, sampleRate))
            self.cursor = cursor
            self.maxKeys = maxKeys
            self.showKeys = showKeys
            self.top = top
        }
    }

    public let families: [AuditFamily]
    public let settings: Settings
    private let classifier: KeyClassifier

    public init(families: [AuditFamily], settings: Settings = Settings()) {
        self.families = families
        self.settings = settings
        classifier = KeyClassifier(families)
    }

    /// Runs the scan; `progress` hears the keys scanned so far and `DBSIZE` after every page.
    public func run(on redis: RedisClient, progress: (_ scanned: Int, _ total: Int) -> Void = { _, _ in }) async throws -> AuditReport {
        var report = AuditReport(families: families, sampleRate: settings.sampleRate)
        report.databaseSize = Int(try await redis.send(RESPCommand("DBSIZE")).int ?? 0)
        let stride = settings.sampleRate > 0 ? max(1, Int((1 / settings.sampleRate).rounded())) : Int.max
        var position: [String: (service: Int, family: Int)] = [:]
        for (s, service) in report.services.enumerated() {
            for (f, family) in service.families.enumerated() { position["\(service.name)\u{0}\(family.name)"] = (s, f) }
        }
        func index(_ family: AuditFamily) -> (service: Int, family: Int) { position["\(family.service)\u{0}\(family.name)"]! }
        let serviceIndex = Dictionary(uniqueKeysWithValues: report.services.enumerated().map { ($1.name, $0) })
        var entriesSeen = 0
        var largest: [AuditReport.LargeKey] = []
        var byPrefix: [String: Int] = [:]
        var cursor = settings.cursor
        let started = ContinuousClock.now
        repeat {
            var scan = RESPCommand("SCAN", cursor, "COUNT")
            scan.append(settings.pageSize)
            guard let page = try await redis.send(scan).elements, page.count == 2, let next = page[0].string, let names = page[1].elements?.compactMap(\.string)
            else { throw RedisError("SCAN returned an unexpected reply") }
            cursor = next
            let kinds = names.map(classifier.classify)
            // One pipeline per page: every key's PTTL, sets' sizes, sampled keys' memory.
            var commands: [RESPCommand] = names.map { RESPCommand("PTTL", $0) }
            var measured: [Int: Int] = [:]
            var sized: [Int: Int] = [:]
            for (offset, kind) in kinds.enumerated() {
                var sample = false
                switch kind {
                case .entry, .orphan:
                    entriesSeen += 1
                    sample = (entriesSeen - 1) % stride == 0
                case .tagSet, .indexSet:
                    sized[offset] = commands.count
                    commands.append(RESPCommand("SCARD", names[offset]))
                default: break
                }
                if sample {
                    measured[offset] = commands.count
                    commands.append(RESPCommand("MEMORY", "USAGE", names[offset], "SAMPLES", "0"))
                }
            }
            let replies = try await redis.pipeline(commands)
            for (offset, name) in names.enumerated() {
                let ttl = replies[offset].int ?? -2
                guard ttl != -2 else { continue }  // gone since the scan saw it
                let bytes = measured[offset].flatMap { replies[$0].int }.map(Int.init)
                let members = sized[offset].flatMap { replies[$0].int }.map(Int.init) ?? 0
                report.scanned += 1
                switch kinds[offset] {
                case .entry(let family):
                    let (s, f) = index(family)
                    report.services[s].families[f].keys += 1
                    report.services[s].families[f].ttl.add(milliseconds: ttl)
                    if ttl < 0 { report.services[s].families[f].withoutTTL += 1 }
                    if ttl > family.ttlMilliseconds * 3 / 2 { report.services[s].families[f].ttlAboveDeclared += 1 }
                    if let bytes {
                        report.services[s].families[f].memory.sample(bytes)
                        largest.append(.init(owner: "\(family.service).\(family.name)", bytes: bytes, key: settings.showKeys ? name : nil))
                    }
                case .orphan:
                    report.orphans.keys += 1
                    if ttl < 0 { report.orphans.withoutTTL += 1 }
                    if settings.showKeys { byPrefix[String(name.prefix { $0 != ":" }), default: 0] += 1 }
                    if let bytes {
                        report.orphans.memory.sample(bytes)
                        largest.append(.init(owner: "orphan", bytes: bytes, key: settings.showKeys ? name : nil))
                    }
                case .tagSet(let service), .indexSet(let service):
                    guard let s = serviceIndex[service] else {
                        report.orphans.keys += 1
                        continue
                    }
                    var sets = kinds[offset] == .tagSet(service: service) ? report.services[s].tagSets : report.services[s].indexSets
                    sets.count += 1
                    sets.members += members
                    sets.largest = max(sets.largest, members)
                    if ttl < 0 { sets.withoutTTL += 1 }
                    if case .tagSet = kinds[offset] { report.services[s].tagSets = sets } else { report.services[s].indexSets = sets }
                case .lease(let family):
                    guard let family, let s = serviceIndex[family.service] else {
                        report.orphans.keys += 1
                        continue
                    }
                    report.services[s].leases += 1
                    if ttl < 0 { report.services[s].leasesWithoutTTL += 1 }
                case .lifetime(let family):
                    if let family, let s = serviceIndex[family.service] { report.services[s].lifetimeMarkers += 1 } else { report.orphans.keys += 1 }
                case .warmupLock(let service):
                    if let s = serviceIndex[service] { report.services[s].warmupLocks += 1 } else { report.orphans.keys += 1 }
                case .eventStream:
                    report.eventStreams += 1
                }
            }
            largest.sort { $0.bytes > $1.bytes }
            if largest.count > settings.top { largest.removeLast(largest.count - settings.top) }
            progress(report.scanned, report.databaseSize)
            if let rate = settings.rate, rate > 0 {
                let due = started + .seconds(Double(report.scanned) / Double(rate))
                if due > .now { try await Task.sleep(until: due, clock: .continuous) }
            }
            if let maxKeys = settings.maxKeys, report.scanned >= maxKeys { break }
        } while cursor != "0"
        report.cursor = cursor
        for s in report.services.indices {
            for f in report.services[s].families.indices {
                report.services[s].families[f].memory.extrapolate(to: report.services[s].families[f].keys)
            }
        }
        report.orphans.memory.extrapolate(to: report.orphans.keys)
        report.orphans.byPrefix = settings.showKeys ? byPrefix : nil
        report.largest = largest
        return report
    }
}
