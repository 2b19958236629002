import Foundation
import Testing
@testable import PolicyCompiler

/// Golden tests of every output format. Run with `UPDATE_GOLDEN=1` to rewrite the expected files
/// after an intended change, and review the diff.
@Suite("Diagnostic rendering")
struct RenderingTests {
    static let folder = packageRoot + "/Tests/PolicyCompilerTests/Fixtures/golden"

    func brokenResult() throws -> (Compiler.Result, SourceFile) {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: Self.folder + "/broken.yaml"))
        let file = SourceFile(path: "policies/broken.yaml", bytes: [UInt8](bytes))
        return (Compiler().compile([file]), file)
    }

    @Test(arguments: DiagnosticFormat.allCases)
    func golden(format: DiagnosticFormat) throws {
        let (result, file) = try brokenResult()
        #expect(result.errorCount == 3)
        #expect(result.warningCount == 1)
        let rendered = format.render(result.diagnostics, sources: [file.path: file], fileCount: 1)
        let path = Self.folder + "/broken.\(format.rawValue)"
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] != nil {
            try rendered.write(toFile: path, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOfFile: path, encoding: .utf8)
        #expect(rendered == expected)
    }

    @Test func textShowsCaretUnderColumn() throws {
        let file = SourceFile(path: "a.yaml", text: "keys:\n  cart:\n    tll: 5m\n")
        let diagnostic = Diagnostic(.unknownField, at: SourceLocation(file: "a.yaml", line: 3, column: 5), "no field 'tll'", hint: "did you mean 'ttl'?")
        let text = TextRenderer(sources: ["a.yaml": file]).render([diagnostic])
        #expect(text == """
            a.yaml:3:5: error: no field 'tll' [CP200]
             3 |     tll: 5m
               |     ^
                = hint: did you mean 'ttl'?

            """)
    }

    @Test func textKeepsTabsSoTheCaretLinesUp() {
        let file = SourceFile(path: "a.yaml", text: "a:\t\tb\n")
        let diagnostic = Diagnostic(.yamlSyntax, at: SourceLocation(file: "a.yaml", line: 1, column: 5), "x")
        #expect(TextRenderer(sources: ["a.yaml": file]).render([diagnostic]).contains(" |   \t\t^"))
    }

    @Test func coloredTextUsesANSI() {
        let diagnostic = Diagnostic(.yamlSyntax, at: SourceLocation(file: "a.yaml", line: 1, column: 1), "x")
        #expect(TextRenderer(sources: [:], colored: true).render([diagnostic]).contains("\u{1B}[1;31merror"))
        #expect(!TextRenderer(sources: [:]).render([diagnostic]).contains("\u{1B}"))
    }

    @Test func jsonIsParseableAndComplete() throws {
        let (result, file) = try brokenResult()
        let json = DiagnosticFormat.json.render(result.diagnostics, sources: [file.path: file], fileCount: 1)
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        let items = object["diagnostics"] as! [[String: Any]]
        #expect(items.count == result.diagnostics.count)
        #expect(items.allSatisfy { ($0["line"] as? Int ?? 0) > 0 && ($0["code"] as? String)?.hasPrefix("CP") == true })
        #expect((object["summary"] as! [String: Int])["errors"] == 3)
    }

    @Test func sarifFollowsTheSchemaShape() throws {
        let (result, file) = try brokenResult()
        let sarif = DiagnosticFormat.sarif.render(result.diagnostics, sources: [file.path: file], fileCount: 1)
        let log = try JSONSerialization.jsonObject(with: Data(sarif.utf8)) as! [String: Any]
        #expect(log["version"] as? String == "2.1.0")
        let run = (log["runs"] as! [[String: Any]])[0]
        let rules = ((run["tool"] as! [String: Any])["driver"] as! [String: Any])["rules"] as! [[String: Any]]
        let results = run["results"] as! [[String: Any]]
        for result in results {
            let index = result["ruleIndex"] as! Int
            #expect(rules[index]["id"] as? String == result["ruleId"] as? String)
        }
    }

    @Test func githubEscapesNewlinesAndSeparators() {
        let diagnostic = Diagnostic(
            .yamlSyntax, at: SourceLocation(file: "a,b:c.yaml", line: 2, column: 3), "50% bad\nline", hint: "fix")
        #expect(GitHubRenderer.render([diagnostic]) == "::error file=a%2Cb%3Ac.yaml,line=2,col=3,title=CP100 yaml-syntax::50%25 bad%0Aline%0Ahint: fix\n")
    }
}
