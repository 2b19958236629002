import CacheRuntime

/// An alert the monitor raises: one of a policy's thresholds, or Redis being unreachable.
public struct Alert: Sendable, Hashable, Codable {
    public enum Name: String, Sendable, Hashable, Codable, CaseIterable {
        case hitRate, memory, latency, errorRate
        /// The seed's critical alert: the service's Redis does not answer.
        case redisUnreachable
    }

    public enum Severity: String, Sendable, Hashable, Codable {
        case warning, critical
    }

    public let service: String
    public let name: Name
    public let severity: Severity
    /// What the condition is, e.g. `hit rate below 70%`.
    public let condition: String
    /// The value observed when it last changed state, e.g. `0.42`.
    public var observed: Double?
    /// When it started firing (seconds since 1970).
    public var firingSince: Double?

    public init(service: String, name: Name, severity: Severity, condition: String, observed: Double? = nil, firingSince: Double? = nil) {
        self.service = service
        self.name = name
        self.severity = severity
        self.condition = condition
        self.observed = observed
        self.firingSince = firingSince
    }
}

/// A change of an alert's state: the monitor logs it and streams it.
public enum AlertTransition: Sendable, Hashable {
    case fired(Alert)
    case resolved(Alert)
}

/// When alerts fire and resolve, as a plain value: the monitor feeds it one observation per alert
/// and evaluation, and acts on the transitions it returns. A condition must hold for the alert's
/// `for` before the alert fires (a blip does not page); a firing alert is reported once, not at
/// every evaluation, and resolves at the first evaluation where its condition no longer holds.
/// Times are offsets from an arbitrary origin.
public struct AlertEvaluator: Sendable {
    public struct Key: Sendable, Hashable {
        public let service: String
        public let name: Alert.Name
    }

    /// One evaluation's finding for one alert.
    public struct Observation: Sendable {
        public let alert: Alert
        /// Whether the condition holds now; `nil` without data (no reads for a hit rate): it
        /// neither starts nor resolves the alert.
        public let holds: Bool?
        public let holdFor: Duration

        public init(alert: Alert, holds: Bool?, holdFor: Duration) {
            self.alert = alert
            self.holds = holds
            self.holdFor = holdFor
        }
    }

    enum State: Sendable, Hashable {
        case pending(since: Duration)
        case firing(Alert)
    }

    private var states: [Key: State] = [:]

    public init() {}

    /// Alerts firing now, sorted by service and name.
    public var firing: [Alert] {
        states.values.compactMap { if case .firing(let alert) = $0 { alert } else { nil } }
            .sorted { ($0.service, $0.name.rawValue) < ($1.service, $1.name.rawValue) }
    }

    /// Applies one evaluation; `wallClock` stamps alerts that fire.
    public mutating func evaluate(_ observations: [Observation], at now: Duration, wallClock: Double) -> [AlertTransition] {
        var transitions: [AlertTransition] = []
        for observation in observations {
            let key = Key(service: observation.alert.service, name: observation.alert.name)
            switch (states[key], observation.holds) {
            case (_, nil):
                continue
            case (nil, true?):
                if observation.holdFor <= .zero {
                    transitions.append(fire(key, observation.alert, wallClock))
                } else {
                    states[key] = .pending(since: now)
                }
            case (.pending(let since), true?):
                if now - since >= observation.holdFor { transitions.append(fire(key, observation.alert, wallClock)) }
            case (.firing, true?):
                continue
            case (.pending, false?):
                states[key] = nil
            case (.firing(let alert), false?):
                states[key] = nil
                var resolved = alert
                resolved.observed = observation.alert.observed
                transitions.append(.resolved(resolved))
            case (nil, false?):
                continue
            }
        }
        return transitions
    }

    private mutating func fire(_ key: Key, _ alert: Alert, _ wallClock: Double) -> AlertTransition {
        var firing = alert
        firing.firingSince = wallClock
        states[key] = .firing(firing)
        return .fired(firing)
    }
}
