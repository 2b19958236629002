import Foundation

/// What every generated service namespace (`PaymentCache`) provides, so that runtime code can
/// work with any of them: the compiled policy, and the plan for an event received by name with
/// its JSON payload (`nil` when the service does not react to it).
public protocol CompiledServicePolicy: Sendable {
    static var policy: ServicePolicy { get }
    static func plan(forEvent name: String, payload: Data) throws -> InvalidationPlan?
}
