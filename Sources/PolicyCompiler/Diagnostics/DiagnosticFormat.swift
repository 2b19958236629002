/// The output formats of `cachepolicy lint --format`.
public enum DiagnosticFormat: String, Sendable, CaseIterable {
    /// swiftc-style lines with the source line and a caret.
    case text
    /// A stable JSON document (see docs/diagnostics.md).
    case json
    /// SARIF 2.1.0, for code-scanning tools.
    case sarif
    /// GitHub Actions workflow commands (`::error file=…`).
    case github

    /// Renders diagnostics; `sources` supplies the lines the text format quotes.
    public func render(_ diagnostics: [Diagnostic], sources: [String: SourceFile], fileCount: Int, colored: Bool = false) -> String {
        switch self {
        case .text: TextRenderer(sources: sources, colored: colored).render(diagnostics)
        case .json: JSONRenderer.render(diagnostics, fileCount: fileCount)
        case .sarif: SARIFRenderer.render(diagnostics)
        case .github: GitHubRenderer.render(diagnostics)
        }
    }
}
