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
}
