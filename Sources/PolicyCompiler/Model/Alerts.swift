/// Alert thresholds for one service.
public struct Alerts: Sendable {
    /// Alert when the hit rate falls below this.
    public var hitRateBelow: Located<Percent>?
    /// Alert when used memory rises above this share of the service's budget.
    public var memoryAbove: Located<Percent>?
    /// Alert when command latency rises above this.
    public var latencyAbove: Located<PolicyDuration>?
    /// Alert when the share of failed commands rises above this.
    public var errorRateAbove: Located<Percent>?
    /// How long each condition must hold before its alert fires (`for:`), by alert name
    /// (`hitRate`, `memory`, `latency`, `errorRate`); absent ones use ``defaultHoldFor``.
    public var holdFor: [String: Located<PolicyDuration>] = [:]

    /// The `for:` of an alert that does not declare one: five minutes.
    public static let defaultHoldFor = PolicyDuration(milliseconds: 300_000)

    /// The alerts' names, as in the policy.
    public static let names = ["hitRate", "memory", "latency", "errorRate"]

    /// Whether the policy sets the alert's threshold.
    public func isDeclared(_ alert: String) -> Bool {
        switch alert {
        case "hitRate": hitRateBelow != nil
        case "memory": memoryAbove != nil
        case "latency": latencyAbove != nil
        case "errorRate": errorRateAbove != nil
        default: false
        }
    }

    /// The `for:` of an alert, declared or default.
    public func holdFor(_ alert: String) -> PolicyDuration { holdFor[alert]?.value ?? Self.defaultHoldFor }

    public init() {}
}
