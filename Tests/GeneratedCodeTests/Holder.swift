/// The value type of the hostile fixture's `default` family.
public struct Holder: Codable, Sendable, Hashable {
    var text: String
}
