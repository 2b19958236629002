/// Renders diagnostics like swiftc and rustc: `file:line:col: error: message [CODE]`, the source
/// line with a caret under the column, the hint, and related locations as notes.
public struct TextRenderer: Sendable {
    public var sources: [String: SourceFile]
    public var colored: Bool

    public init(sources: [String: SourceFile], colored: Bool = false) {
        self.sources = sources
        self.colored = colored
    }

    public func render(_ diagnostics: [Diagnostic]) -> String {
        var out = ""
        for diagnostic in diagnostics {
            out += headline(diagnostic.location, diagnostic.severity, diagnostic.message, code: diagnostic.code)
            out += snippet(diagnostic.location)
            if let hint = diagnostic.hint {
                out += "    = \(paint("hint", .bold)): \(hint)\n"
            }
            for related in diagnostic.related {
                out += headline(related.location, .note, related.message, code: nil)
                out += snippet(related.location)
            }
        }
        return out
    }

    private func headline(_ location: SourceLocation, _ severity: Severity, _ message: String, code: DiagnosticCode?) -> String {
        let color: Style = switch severity {
        case .error: .red
        case .warning: .yellow
        case .note: .cyan
        }
        let suffix = code.map { " [\($0)]" } ?? ""
        return "\(paint(location.description, .bold)): \(paint(severity.rawValue, color)): \(message)\(suffix)\n"
    }

    /// The widest snippet shown, in Unicode scalars; longer lines are clipped around the column.
    public static let maxSnippetWidth = 120

    /// The quoted line and the caret, or nothing if the line cannot be shown. A long line (a
    /// minified or generated file) is clipped to a window around the column, marked with `…`.
    private func snippet(_ location: SourceLocation) -> String {
        guard let line = sources[location.file]?.line(location.line) else { return "" }
        let number = String(location.line)
        let gutter = String(repeating: " ", count: number.count)
        let (shown, caretOffset) = Self.clip(Array(line.unicodeScalars), column: location.column)
        // Keep tabs so the caret lines up with the quoted text.
        let pad = String(String.UnicodeScalarView(shown.prefix(caretOffset).map { $0 == "\t" ? "\t" : " " }))
        return " \(number) | \(String(String.UnicodeScalarView(shown)))\n \(gutter) | \(pad)\(paint("^", .green))\n"
    }

    /// The scalars to show for a line and the caret's offset in them.
    static func clip(_ scalars: [Unicode.Scalar], column: Int) -> (shown: [Unicode.Scalar], caret: Int) {
        let caret = max(0, column - 1)
        guard scalars.count > maxSnippetWidth else { return (scalars, caret) }
        let half = maxSnippetWidth / 2
        let start = max(0, min(caret - half, scalars.count - maxSnippetWidth))
        let end = min(scalars.count, start + maxSnippetWidth)
        var shown = Array(scalars[start..<end])
        var offset = caret - start
        if start > 0 {
            shown.insert("…", at: 0)
            offset += 1
        }
        if end < scalars.count { shown.append("…") }
        return (shown, offset)
    }

    private enum Style: String {
        case bold = "1", red = "1;31", yellow = "1;33", cyan = "1;36", green = "1;32"
    }

    private func paint(_ text: String, _ style: Style) -> String {
        colored ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
    }
}
