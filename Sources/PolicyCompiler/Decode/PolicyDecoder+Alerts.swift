extension PolicyDecoder {
    mutating func decodeAlerts(_ node: Node) -> Alerts {
        var alerts = Alerts()
        guard let fields = fields(node, "'alerts'", PolicyFields.alerts) else {
            return alerts
        }
        alerts.hitRateBelow = threshold(fields["hitRate"], "hitRate", bound: "below", &alerts.holdFor) { $0.percentage($1, $2) }
        alerts.memoryAbove = threshold(fields["memory"], "memory", bound: "above", &alerts.holdFor) { $0.percentage($1, $2) }
        alerts.latencyAbove = threshold(fields["latency"], "latency", bound: "above", &alerts.holdFor) { $0.duration($1, $2) }
        alerts.errorRateAbove = threshold(fields["errorRate"], "errorRate", bound: "above", &alerts.holdFor) { $0.percentage($1, $2) }
        return alerts
    }

    /// `{ below: 70% }` or `{ above: 1s, for: 10m }`.
    private mutating func threshold<T>(
        _ node: Node?, _ name: String, bound: String, _ holdFor: inout [String: Located<PolicyDuration>],
        _ read: (inout PolicyDecoder, Node, String) -> Located<T>?
    ) -> Located<T>? {
        guard let node, let fields = fields(node, "'alerts.\(name)'", known: [bound, "for"], required: [bound]),
              let value = fields.value(named: bound)
        else { return nil }
        if let hold = fields["for"], let duration = duration(hold, "'alerts.\(name).for'") { holdFor[name] = duration }
        return read(&self, value, "'alerts.\(name).\(bound)'")
    }
}
