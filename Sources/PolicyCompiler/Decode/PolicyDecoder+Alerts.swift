extension PolicyDecoder {
    mutating func decodeAlerts(_ node: Node) -> Alerts {
        var alerts = Alerts()
        guard let fields = fields(node, "'alerts'", known: PolicyFields.alerts.known) else {
            return alerts
        }
        alerts.hitRateBelow = threshold(fields["hitRate"], "hitRate", bound: "below") { $0.percentage($1, $2) }
        alerts.memoryAbove = threshold(fields["memory"], "memory", bound: "above") { $0.percentage($1, $2) }
        alerts.latencyAbove = threshold(fields["latency"], "latency", bound: "above") { $0.duration($1, $2) }
        alerts.errorRateAbove = threshold(fields["errorRate"], "errorRate", bound: "above") { $0.percentage($1, $2) }
        return alerts
    }

    /// `{ below: 70% }` or `{ above: 1s }`.
    private mutating func threshold<T>(
        _ node: Node?, _ name: String, bound: String, _ read: (inout PolicyDecoder, Node, String) -> Located<T>?
    ) -> Located<T>? {
        guard let node, let fields = fields(node, "'alerts.\(name)'", known: [bound], required: [bound]),
              let value = fields[bound]
        else { return nil }
        return read(&self, value, "'alerts.\(name).\(bound)'")
    }
}
