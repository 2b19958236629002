/// The Swift type a key family stores, as a policy may write it: a (possibly module-qualified)
/// name with optional generic arguments, an array `[T]`, a dictionary `[K: V]`, or an optional `T?`.
/// Parsed rather than pasted, so generated code never contains anything but a type.
///
/// ```
/// type  := base "?"*
/// base  := name ("." name)* ("<" type ("," type)* ">")?  |  "[" type (":" type)? "]"
/// ```
public struct ValueTypeName: Hashable, Sendable, CustomStringConvertible {
    /// The type in canonical spelling (`[String: Book]`, `Models.Page<Book>?`).
    public let canonical: String
    /// The first component of every named type in it (`Models` for `Models.Page<Book>`, and `Book`):
    /// the names a nested generated declaration could shadow.
    public var rootNames: [String] { parsedRootNames ?? [canonical] }

    /// The root names found by the parser; `nil` for a plain name (its own root), so the common
    /// case allocates no list.
    private let parsedRootNames: [String]?

    /// Longest accepted spelling, and deepest nesting of brackets.
    public static let maxLength = 256
    public static let maxDepth = 8

    public var description: String { canonical }

    /// Parses `text`; `nil` when it is not a type this grammar accepts.
    public init?(_ text: String) {
        guard text.utf8.count <= Self.maxLength else { return nil }
        // The common case, a plain ASCII name (`PaymentHistoryPage`), needs no parser.
        if Self.isPlainASCIIName(text) {
            guard !SwiftNames.isKeyword(text) else { return nil }
            self.canonical = text
            self.parsedRootNames = nil
            return
        }
        var parser = Parser(scalars: Array(text.unicodeScalars))
        guard let canonical = parser.type(depth: 0), parser.atEnd else { return nil }
        self.canonical = canonical
        self.parsedRootNames = parser.roots
    }

    /// Calls `body` with each of ``rootNames`` of the type `text` spells (none when it is not a
    /// type), without building the list for a plain name, the common case.
    static func forEachRootName(of text: String, _ body: (String) -> Void) {
        if Self.isPlainASCIIName(text) {
            if !SwiftNames.isKeyword(text) { body(text) }
        } else {
            ValueTypeName(text)?.rootNames.forEach(body)
        }
    }

    /// An ASCII letter or `_`, then ASCII letters, digits and `_`.
    private static func isPlainASCIIName(_ text: String) -> Bool {
        // On the string's UTF-8 buffer: the generic view's iteration costs more than the test.
        var text = text
        return text.withUTF8 { bytes in
            guard let first = bytes.first, isASCIILetter(first) || first == UInt8(ascii: "_") else { return false }
            return bytes.allSatisfy { isASCIILetter($0) || $0 == UInt8(ascii: "_") || $0 &- UInt8(ascii: "0") < 10 }
        }
    }

    private static func isASCIILetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    private struct Parser {
        let scalars: [Unicode.Scalar]
        var position = 0
        var roots: [String] = []

        var atEnd: Bool {
            mutating get {
                skipSpaces()
                return position == scalars.count
            }
        }

        mutating func skipSpaces() {
            while position < scalars.count, scalars[position] == " " { position += 1 }
        }

        mutating func take(_ scalar: Unicode.Scalar) -> Bool {
            skipSpaces()
            guard position < scalars.count, scalars[position] == scalar else { return false }
            position += 1
            return true
        }

        mutating func type(depth: Int) -> String? {
            guard depth <= ValueTypeName.maxDepth, var result = base(depth: depth) else { return nil }
            while take("?") { result += "?" }
            return result
        }

        mutating func base(depth: Int) -> String? {
            if take("[") {
                guard let element = type(depth: depth + 1) else { return nil }
                if take(":") {
                    guard let value = type(depth: depth + 1), take("]") else { return nil }
                    return "[\(element): \(value)]"
                }
                return take("]") ? "[\(element)]" : nil
            }
            guard let first = name(), !SwiftNames.isKeyword(first) else { return nil }
            roots.append(first)
            var result = first
            while take(".") {
                guard let next = name(), !SwiftNames.isKeyword(next) else { return nil }
                result += "." + next
            }
            if take("<") {
                var arguments: [String] = []
                repeat {
                    guard let argument = type(depth: depth + 1) else { return nil }
                    arguments.append(argument)
                } while take(",")
                guard take(">") else { return nil }
                result += "<" + arguments.joined(separator: ", ") + ">"
            }
            return result
        }

        /// An identifier: a letter or `_`, then letters, digits or `_`.
        mutating func name() -> String? {
            skipSpaces()
            let start = position
            while position < scalars.count {
                let scalar = scalars[position]
                let isStart = scalar.properties.isAlphabetic || scalar == "_"
                let isBody = isStart || scalar.properties.numericType != nil
                guard position == start ? isStart : isBody else { break }
                position += 1
            }
            guard position > start else { return nil }
            var text = ""
            text.unicodeScalars.append(contentsOf: scalars[start..<position])
            return text
        }
    }
}
