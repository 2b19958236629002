/// A YAML node with the location it starts at: the tree every later stage reads.
///
/// A file's nodes live in one ``NodeTree``: flat arrays in which the children of a mapping or
/// list are stored side by side. Building and dropping a file's tree costs a handful of
/// allocations instead of one per mapping, list and entry, and a `Node` is a position in it.
public struct Node: Sendable {
    public enum Kind: Sendable {
        case scalar(Scalar)
        case mapping(Pairs)
        case sequence(Items)
    }

    /// A mapping entry. Keys are always scalars (the parser rejects others).
    public struct Pair: Sendable {
        public var key: String
        public var keyLocation: SourceLocation
        public var value: Node
    }

    /// A mapping's entries in source order.
    public struct Pairs: RandomAccessCollection, Sendable {
        let tree: NodeTree
        /// Index in `tree.entries` of the first key; each key is followed by its value.
        let first: Int
        public let count: Int

        public var startIndex: Int { 0 }
        public var endIndex: Int { count }

        public subscript(position: Int) -> Pair {
            let key = first + 2 * position
            return Pair(key: tree.text(at: key), keyLocation: tree.entries[key].location, value: Node(tree: tree, index: key + 1))
        }

        /// The value under `key`, found by comparing keys' bytes in place (no `Pair` is made per
        /// entry): short keys (every field name of the language) as two integers.
        public func value(forKey key: String) -> Node? {
            guard let packed = NodeTree.PackedText(key) else {
                var index = first
                for _ in 0..<count {
                    if tree.text(at: index).utf8.elementsEqual(key.utf8) { return Node(tree: tree, index: index + 1) }
                    index += 2
                }
                return nil
            }
            return value(forPacked: packed)
        }

        /// The value under a literal key (a field name), packed straight from its bytes.
        func value(forKey key: StaticString) -> Node? {
            key.withUTF8Buffer { bytes in
                NodeTree.PackedText(bytes).map { value(forPacked: $0) } ?? value(forKey: String(decoding: bytes, as: UTF8.self))
            }
        }

        private func value(forPacked packed: NodeTree.PackedText) -> Node? {
            tree.entries.withUnsafeBufferPointer { entries in
                var index = first
                for _ in 0..<count {
                    if entries[index].packed == packed { return Node(tree: tree, index: index + 1) }
                    index += 2
                }
                return nil
            }
        }

        /// Whether the mapping has the key.
        public func contains(key: String) -> Bool { value(forKey: key) != nil }

        /// Whether the key at `position` is one of the section's field names (compared as bytes).
        func keyIsKnown(at position: Int, _ section: PolicyFields.Section) -> Bool {
            let key = first + 2 * position
            guard let packed = tree.entries[key].packed else {
                let text = tree.text(at: key)
                return section.known.contains { $0.utf8.elementsEqual(text.utf8) }
            }
            return section.packedKnown.contains(packed)
        }
    }

    /// A list's items in source order.
    public struct Items: RandomAccessCollection, Sendable {
        let tree: NodeTree
        let first: Int
        public let count: Int

        public var startIndex: Int { 0 }
        public var endIndex: Int { count }

        public subscript(position: Int) -> Node { Node(tree: tree, index: first + position) }
    }

    let tree: NodeTree
    let index: Int

    init(tree: NodeTree, index: Int) {
        self.tree = tree
        self.index = index
    }

    private var entry: NodeTree.Entry { tree.entries[index] }

    public var location: SourceLocation { entry.location }

    /// Number of nodes in this subtree, used to bound alias expansion.
    public var size: Int { Int(entry.size) }

    public var kind: Kind {
        let entry = entry
        switch entry.kind {
        case .scalar: return .scalar(tree.scalar(entry))
        case .mapping: return .mapping(Pairs(tree: tree, first: Int(entry.first), count: Int(entry.count) / 2))
        case .sequence: return .sequence(Items(tree: tree, first: Int(entry.first), count: Int(entry.count)))
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

    /// A scalar whose characters are the source's, one to one, on one line (after its opening
    /// quote, if any): columns inside its value are columns in the file. Its span in the source is
    /// then its value plus any quotes; an escape, a doubled quote or a folded line break makes
    /// them differ. Judged only when asked (patterns ask), not for every scalar read.
    var isVerbatim: Bool {
        let entry = entry
        guard entry.kind == .scalar, entry.span >= 0 else { return false }
        let quotes = entry.style == .plain ? 0 : 2
        var text = NodeTree.text(of: entry, in: tree.texts)
        // Characters are bytes that do not continue a UTF-8 sequence.
        return text.withUTF8 { $0.count { $0 & 0xC0 != 0x80 } } + quotes == Int(entry.span)
    }

    public var scalar: Scalar? {
        let entry = entry
        return entry.kind == .scalar ? tree.scalar(entry) : nil
    }
}

/// One file's nodes, written once by the reader and then only read (so it is `Sendable`).
final class NodeTree: Sendable {
    /// A node without references: what it is, where it starts, and where its text or children are.
    struct Entry {
        enum Kind: UInt8 {
            case scalar, mapping, sequence
        }

        var kind: Kind
        var style: Scalar.Style
        var location: SourceLocation
        /// Collections: index of the first child in `entries` (a mapping's keys and values alternate).
        var first: Int32 = 0
        /// Collections: number of child entries (twice the number of pairs for a mapping).
        var count: Int32 = 0
        /// Scalars: index of the text in `texts`; -1 for an ASCII key held only in `packed`.
        var text: Int32 = -1
        /// Index of the explicit tag in `tags`, or -1.
        var tag: Int32 = -1
        /// Nodes in this subtree (itself included).
        var size: Int32 = 1
        /// Mapping keys of at most 16 bytes: the bytes themselves, so keys compare as integers.
        var packed: PackedText?
        /// Scalars: how many characters the scalar spans in the source (quotes included), or -1
        /// when it spans lines or is not spelled in place (a block scalar, an alias).
        var span: Int32 = -1
    }

    /// Up to 16 bytes of UTF-8 in two integers and a length: equal exactly when the bytes are.
    struct PackedText: Equatable {
        var low: UInt64 = 0
        var high: UInt64 = 0
        var count: UInt8 = 0

        init?(_ bytes: UnsafeBufferPointer<UInt8>) {
            guard bytes.count <= 16 else { return nil }
            count = UInt8(bytes.count)
            guard let base = bytes.baseAddress else { return }
            // Whole words loaded as they lie in memory, a tail byte by byte (no call to memcpy).
            let raw = UnsafeRawPointer(base)
            if bytes.count >= 8 {
                low = raw.loadUnaligned(as: UInt64.self)
                high = bytes.count == 16 ? raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self) : Self.tail(base + 8, bytes.count - 8)
            } else {
                low = Self.tail(base, bytes.count)
            }
        }

        /// Up to 7 bytes as one integer, in the order a load from memory would give them.
        private static func tail(_ base: UnsafePointer<UInt8>, _ count: Int) -> UInt64 {
            var word: UInt64 = 0
            withUnsafeMutableBytes(of: &word) { word in
                for index in 0..<count { word[index] = base[index] }
            }
            return word
        }

        var isASCII: Bool { (low | high) & 0x8080_8080_8080_8080 == 0 }

        /// The bytes as a string (valid UTF-8 when they were packed from a scalar or a string).
        var string: String {
            withUnsafeBytes(of: (low, high)) { String(decoding: $0.prefix(Int(count)), as: UTF8.self) }
        }

        init?(_ text: String) {
            guard text.utf8.count <= 16 else { return nil }
            var text = text
            text.makeContiguousUTF8()
            guard let packed = text.withUTF8({ PackedText($0) }) else { return nil }
            self = packed
        }
    }

    let entries: [Entry]
    let texts: [String]
    let tags: [String]

    init(entries: [Entry], texts: [String], tags: [String]) {
        self.entries = entries
        self.texts = texts
        self.tags = tags
    }

    /// The text of the scalar entry at `index` (a mapping key).
    func text(at index: Int) -> String { Self.text(of: entries[index], in: texts) }

    func scalar(_ entry: Entry) -> Scalar {
        Scalar(Self.text(of: entry, in: texts), style: entry.style, tag: entry.tag >= 0 ? tags[Int(entry.tag)] : nil)
    }

    /// A scalar's text: from `texts`, or made from its packed bytes for an ASCII key the reader
    /// stored no string for (most keys are field names, compared packed and never read as text).
    static func text(of entry: Entry, in texts: [String]) -> String {
        entry.text >= 0 ? texts[Int(entry.text)] : entry.packed!.string
    }
}

/// A scalar as written: its text, quoting style and explicit tag, if any.
public struct Scalar: Sendable, Hashable {
    public enum Style: UInt8, Sendable, Hashable {
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
        // By length first: nearly every scalar read is a value, not a null.
        switch value.utf8.count {
        case 0: return true
        case 1: return value == "~"
        case 4: return value == "null" || value == "Null" || value == "NULL"
        default: return false
        }
    }

    /// Whether the text can be reinterpreted as a number or duration (quoted scalars are strings).
    public var isPlain: Bool { style == .plain && (tag == nil || tag != "tag:yaml.org,2002:str") }
}
