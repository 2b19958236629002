import Foundation
import CacheAudit

/// The audit report for a terminal: a table per service, then orphans and the largest keys.
enum AuditText {
    static func render(_ report: AuditReport, address: String) -> String {
        var out = "Keyspace audit of \(address): \(report.scanned) keys scanned (DBSIZE \(report.databaseSize))"
        out += report.complete ? ", complete.\n" : "; stopped early: resume with --cursor \(report.cursor).\n"
        out += "Memory is sampled (\(percent(report.sampleRate)) of keys) and extrapolated, ± its 95% margin.\n"
        for service in report.services {
            out += "\n\(service.name)  ~\(bytes(service.estimatedBytes))\n"
            var rows = [["family", "keys", "no TTL", "TTL > declared", "memory", "± margin", "TTL <1m/<10m/<1h/<1d/more"]]
            for family in service.families {
                let t = family.ttl
                rows.append([
                    family.name, "\(family.keys)", "\(family.withoutTTL)", "\(family.ttlAboveDeclared)", bytes(family.memory.estimatedBytes),
                    bytes(family.memory.marginBytes),
                    "\(t.underOneMinute)/\(t.underTenMinutes)/\(t.underOneHour)/\(t.underOneDay)/\(t.oneDayOrMore)",
                ])
            }
            out += table(rows)
            out += "  tag sets \(service.tagSets.count) (\(service.tagSets.members) members, largest \(service.tagSets.largest), \(service.tagSets.withoutTTL) without TTL)"
            out += ", index sets \(service.indexSets.count) (\(service.indexSets.members) members, largest \(service.indexSets.largest))"
            out += ", leases \(service.leases) (\(service.leasesWithoutTTL) without TTL), warmup locks \(service.warmupLocks)\n"
        }
        out += "\norphans (keys no family declares): \(report.orphans.keys), \(report.orphans.withoutTTL) without TTL, ~\(bytes(report.orphans.memory.estimatedBytes))\n"
        if let prefixes = report.orphans.byPrefix, !prefixes.isEmpty {
            for (prefix, count) in prefixes.sorted(by: { ($1.value, $0.key) < ($0.value, $1.key) }).prefix(10) { out += "  \(prefix):…  \(count)\n" }
        } else if report.orphans.keys > 0 {
            out += "  (their prefixes are shown with --show-keys)\n"
        }
        out += "event streams: \(report.eventStreams)\n"
        if !report.largest.isEmpty {
            out += "\nlargest keys measured:\n"
            for key in report.largest { out += "  \(bytes(key.bytes))  \(key.owner)\(key.key.map { "  \($0)" } ?? "")\n" }
        }
        return out
    }

    static func table(_ rows: [[String]]) -> String {
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max()! }
        return rows.map { row in
            "  " + row.indices.map { row[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    static func bytes(_ count: Int) -> String {
        switch count {
        case ..<1_024: "\(count) B"
        case ..<(1 << 20): String(format: "%.1f KiB", Double(count) / 1_024)
        case ..<(1 << 30): String(format: "%.1f MiB", Double(count) / Double(1 << 20))
        default: String(format: "%.2f GiB", Double(count) / Double(1 << 30))
        }
    }

    static func percent(_ ratio: Double) -> String { ratio * 100 == (ratio * 100).rounded() ? "\(Int(ratio * 100))%" : "\(ratio * 100)%" }
}

