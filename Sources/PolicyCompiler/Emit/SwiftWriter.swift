/// The access level of generated declarations.
public enum AccessLevel: String, Sendable, CaseIterable {
    case `public`, package, `internal`

    /// The modifier written before a declaration (none for `internal`, Swift's default).
    var modifier: String { self == .internal ? "" : rawValue + " " }
}

/// Accumulates Swift source with four-space indentation. Emitters write declarations as `public …`;
/// the writer renders that as the configured ``AccessLevel``.
struct SwiftWriter {
    private(set) var text = ""
    private var depth = 0
    let access: AccessLevel

    init(access: AccessLevel) {
        self.access = access
    }

    mutating func line(_ content: String = "") {
        guard !content.isEmpty else {
            text += "\n"
            return
        }
        let declaration = content.hasPrefix("public ") ? access.modifier + content.dropFirst("public ".count) : content
        text += String(repeating: "    ", count: depth) + declaration + "\n"
    }

    /// `///` lines; free text is split at line breaks and stripped of control characters.
    mutating func doc(_ paragraphs: [String]) {
        var first = true
        for paragraph in paragraphs where !paragraph.isEmpty {
            if !first { line("///") }
            first = false
            for piece in paragraph.split(separator: "\n", omittingEmptySubsequences: false) {
                let cleaned = SwiftNames.docText(String(piece)).trimmingTrailingSpaces()
                line(cleaned.isEmpty ? "///" : "/// " + cleaned)
            }
        }
    }

    /// `header {`, the body one level deeper, then `}`.
    mutating func block(_ header: String, _ body: (inout SwiftWriter) -> Void) {
        line(header + " {")
        depth += 1
        body(&self)
        depth -= 1
        line("}")
    }

    /// Lines between `open` and `close`, one level deeper, each followed by a comma except the last.
    /// With no items, `open + empty + close` on one line: `empty` is `":"` for a dictionary literal,
    /// since `[]` is not a valid empty dictionary.
    mutating func list(_ open: String, _ items: [String], _ close: String, empty: String = "") {
        guard !items.isEmpty else {
            line(open + empty + close)
            return
        }
        line(open)
        depth += 1
        for (index, item) in items.enumerated() { line(item + (index == items.count - 1 ? "" : ",")) }
        depth -= 1
        line(close)
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}
