/// An event declared in a policy: its payload is the conforming struct, generated per event.
public protocol CacheEvent: Codable, Sendable, Hashable {
    /// The event's name in the policy, e.g. `payment.succeeded`.
    static var name: String { get }
    /// The service that produces it.
    static var producer: String { get }
    /// The services whose caches react to it, sorted.
    static var consumers: [String] { get }
}
