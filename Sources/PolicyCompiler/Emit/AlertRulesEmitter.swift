/// `cachepolicy alerts`: a Prometheus alerting-rules file from the policies' `alerts:`, one group
/// per service, with the same thresholds and `for:` durations the runtime evaluates in process.
public enum AlertRulesEmitter {
    /// The rules file (YAML), deterministic; `window` is the rate window (`1m`).
    public static func emit(_ program: Program, window: String = "1m") -> String {
        var out = "# Prometheus alerting rules for the cache policies. Do not edit: run `cachepolicy alerts` again.\n"
        out += "# Metrics: docs/metrics.md. Thresholds and `for:` come from each policy's `alerts:`.\n"
        out += "groups:\n"
        for service in program.services.sorted(by: { $0.name < $1.name }) {
            let queries = MonitoringQueries(service: service.name, window: window)
            out += "  - name: \(quoted("cachepolicy-" + service.name))\n"
            out += "    rules:\n"
            for rule in rules(service, queries) {
                out += "      - alert: \(rule.name)\n"
                out += "        expr: \(quoted(rule.expression))\n"
                out += "        for: \(rule.holdFor)\n"
                out += "        labels:\n"
                out += "          severity: \(rule.severity)\n"
                out += "          service: \(quoted(service.name))\n"
                out += "        annotations:\n"
                out += "          summary: \(quoted("\(service.name): \(rule.summary)"))\n"
                if let source = rule.source { out += "          source: \(quoted(source))\n" }
            }
        }
        return out
    }

    struct Rule {
        let name: String
        let expression: String
        let holdFor: String
        let severity: String
        let summary: String
        let source: String?
    }

    static func rules(_ service: ServiceProgram, _ queries: MonitoringQueries) -> [Rule] {
        let alerts = service.alerts
        let prefix = "Cache" + service.name.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        func source(_ location: SourceLocation) -> String { "\(location.file):\(location.line)" }
        var rules = [
            Rule(
                name: prefix + "RedisUnreachable", expression: "\(queries.redisUp) == 0", holdFor: "30s", severity: "critical",
                summary: "Redis unreachable", source: nil),
        ]
        if let below = alerts.hitRateBelow {
            rules.append(Rule(
                name: prefix + "HitRateLow", expression: "(\(queries.hitRate)) < \(MonitoringQueries.number(below.value.ratio))",
                holdFor: alerts.holdFor("hitRate").description, severity: "warning", summary: "cache hit rate below \(below.value)",
                source: source(below.location)))
        }
        if let above = alerts.memoryAbove, let budget = service.memory {
            rules.append(Rule(
                name: prefix + "MemoryHigh",
                expression: "\(queries.memoryUsed) / \(budget.bytes) > \(MonitoringQueries.number(above.value.ratio))",
                holdFor: alerts.holdFor("memory").description, severity: "warning",
                summary: "cache memory above \(above.value) of its \(budget) budget", source: source(above.location)))
        }
        if let above = alerts.latencyAbove {
            rules.append(Rule(
                name: prefix + "LatencyHigh",
                expression: "\(queries.latency(quantile: 0.99)) > \(MonitoringQueries.number(Double(above.value.milliseconds) / 1000))",
                holdFor: alerts.holdFor("latency").description, severity: "warning", summary: "cache p99 latency above \(above.value)",
                source: source(above.location)))
        }
        if let above = alerts.errorRateAbove {
            rules.append(Rule(
                name: prefix + "ErrorRateHigh", expression: "(\(queries.errorRate)) > \(MonitoringQueries.number(above.value.ratio))",
                holdFor: alerts.holdFor("errorRate").description, severity: "warning", summary: "cache error rate above \(above.value)",
                source: source(above.location)))
        }
        return rules
    }

    /// A YAML double-quoted scalar.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default:
                if scalar.value < 0x20 { out += "\\x" + String(scalar.value, radix: 16).leftPadded(2) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
