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

    /// The quoted line and the caret, or nothing if the line cannot be shown.
    private func snippet(_ location: SourceLocation) -> String {
        guard let line = sources[location.file]?.line(location.line) else { return "" }
        let number = String(location.line)
        let gutter = String(repeating: " ", count: number.count)
        // Keep tabs so the caret lines up with the quoted text.
        let pad = String(line.unicodeScalars.prefix(max(0, location.column - 1)).map { $0 == "\t" ? "\t" : " " })
        return " \(number) | \(line)\n \(gutter) | \(pad)\(paint("^", .green))\n"
    }

    private enum Style: String {
        case bold = "1", red = "1;31", yellow = "1;33", cyan = "1;36", green = "1;32"
    }

    private func paint(_ text: String, _ style: Style) -> String {
        colored ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
    }
}
