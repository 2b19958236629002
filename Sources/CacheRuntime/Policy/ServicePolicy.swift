/// One service's compiled policy: its key families, warmup jobs, alerts and the events it reacts to.
public struct ServicePolicy: Sendable, Hashable {
    public let name: String
    public let description: String?
    /// The Redis memory budget in bytes, if declared.
    public let memoryBudget: Int?
    public let alerts: AlertThresholds
    public let families: [KeyFamilySpec]
    public let warmupJobs: [WarmupJobSpec]
    /// Names of the events whose invalidations this service applies, sorted.
    public let reactsTo: [String]

    public init(
        name: String, description: String? = nil, memoryBudget: Int? = nil, alerts: AlertThresholds = AlertThresholds(),
        families: [KeyFamilySpec], warmupJobs: [WarmupJobSpec] = [], reactsTo: [String] = []
    ) {
        self.name = name
        self.description = description
        self.memoryBudget = memoryBudget
        self.alerts = alerts
        self.families = families
        self.warmupJobs = warmupJobs
        self.reactsTo = reactsTo
    }
}

/// Alert thresholds; ratios are shares of a whole (0.7 is 70%).
public struct AlertThresholds: Sendable, Hashable {
    public let hitRateBelow: Double?
    public let memoryAbove: Double?
    public let latencyAbove: Duration?
    public let errorRateAbove: Double?
    /// How long each condition must hold before its alert fires (the policy's `for:`); alerts
    /// not listed use ``defaultHoldFor``.
    public let holdFor: [Alert: Duration]

    /// An alert a policy can declare.
    public enum Alert: String, Sendable, Hashable, CaseIterable, Codable {
        case hitRate, memory, latency, errorRate
    }

    /// The `for:` of an alert that does not declare one: five minutes.
    public static let defaultHoldFor = Duration.seconds(300)

    /// How long the alert's condition must hold before it fires.
    public func holdDuration(_ alert: Alert) -> Duration { holdFor[alert] ?? Self.defaultHoldFor }

    public init(
        hitRateBelow: Double? = nil, memoryAbove: Double? = nil, latencyAbove: Duration? = nil, errorRateAbove: Double? = nil,
        holdFor: [Alert: Duration] = [:]
    ) {
        self.holdFor = holdFor
        self.hitRateBelow = hitRateBelow
        self.memoryAbove = memoryAbove
        self.latencyAbove = latencyAbove
        self.errorRateAbove = errorRateAbove
    }
}
