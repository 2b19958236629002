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

    public init() {}
}
