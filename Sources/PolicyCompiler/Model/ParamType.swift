/// The type of a key parameter or payload field; it fixes how the runtime renders the value in a key.
public enum ParamType: Hashable, Sendable, CustomStringConvertible {
    /// Any text; percent-encoded in keys.
    case string
    /// A 64-bit signed integer in canonical decimal.
    case int
    /// A UUID in lowercase canonical form (8-4-4-4-12 hex digits).
    case uuid
    /// `true` or `false`.
    case bool
    /// One of a fixed set of values, written as-is.
    case enumeration([String])

    public var description: String {
        switch self {
        case .string: "string"
        case .int: "int"
        case .uuid: "uuid"
        case .bool: "bool"
        case .enumeration(let values): "enum [\(values.joined(separator: ", "))]"
        }
    }

    /// The builtin type names accepted in policies.
    public static let builtinNames = ["string", "int", "uuid", "bool"]

    /// Two enums with the same values are the same type, whatever the order they are listed in.
    public static func == (a: ParamType, b: ParamType) -> Bool {
        switch (a, b) {
        case (.string, .string), (.int, .int), (.uuid, .uuid), (.bool, .bool): true
        case (.enumeration(let x), .enumeration(let y)): Set(x.map { Array($0.utf8) }) == Set(y.map { Array($0.utf8) })
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .string: hasher.combine(0)
        case .int: hasher.combine(1)
        case .uuid: hasher.combine(2)
        case .bool: hasher.combine(3)
        case .enumeration(let values): hasher.combine(Set(values.map { Array($0.utf8) }))
        }
    }
}
