/// A YAML node with the location it starts at: the tree every later stage reads.
public struct Node: Sendable {
    public enum Kind: Sendable {
        case scalar(Scalar)
        case mapping([Pair])
        case sequence([Node])
    }

    /// A mapping entry. Keys are always scalars (the parser rejects others).
    public struct Pair: Sendable {
        public var key: String
        public var keyLocation: SourceLocation
        public var value: Node
    }

    public var kind: Kind
    public var location: SourceLocation
    /// Number of nodes in this subtree, used to bound alias expansion.
    public var size: Int

    public init(_ kind: Kind, at location: SourceLocation) {
        self.kind = kind
        self.location = location
        switch kind {
        case .scalar: size = 1
        case .mapping(let pairs): size = pairs.reduce(1) { $0 + 1 + $1.value.size }
        case .sequence(let items): size = items.reduce(1) { $0 + $1.size }
        }
    }

    /// What kind of value this is, for messages ("expected a list, found a mapping").
    public var kindDescription: String {
        switch kind {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar(let scalar):
            if scalar.isNull { return "null" }
            return scalar.style == .plain ? "'\(scalar.value)'" : "a string"
        }
    }

    public var scalar: Scalar? {
        if case .scalar(let scalar) = kind { return scalar }
        return nil
    }
}

/// A scalar as written: its text, quoting style and explicit tag, if any.
public struct Scalar: Sendable, Hashable {
    public enum Style: Sendable, Hashable {
        case plain, singleQuoted, doubleQuoted, literal, folded
    }

    public var value: String
    public var style: Style
    public var tag: String?

    public init(_ value: String, style: Style = .plain, tag: String? = nil) {
        self.value = value
        self.style = style
        self.tag = tag
    }

    /// A plain `null`, `~` or empty scalar (YAML's null), unless tagged otherwise.
    public var isNull: Bool {
        guard style == .plain, tag == nil || tag == "tag:yaml.org,2002:null" else { return false }
        return value.isEmpty || value == "~" || value == "null" || value == "Null" || value == "NULL"
    }

    /// Whether the text can be reinterpreted as a number or duration (quoted scalars are strings).
    public var isPlain: Bool { style == .plain && (tag == nil || tag != "tag:yaml.org,2002:str") }
}
