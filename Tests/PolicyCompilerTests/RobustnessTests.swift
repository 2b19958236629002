import TestSupport
import Testing
@testable import PolicyCompiler

/// Thousands of broken variants of the example policies: the compiler never crashes or hangs,
/// and every diagnostic it gives is located inside the file it names.
@Suite("Robustness", .hangLimit)
struct RobustnessTests {
    enum Mutation: CaseIterable {
        case deleteLine, duplicateLine, swapLines, indent, dedent, truncate, randomBytes, replaceByte, insertTab,
             insertSyntax
    }

    static func mutate(_ bytes: [UInt8], _ mutation: Mutation, _ rng: inout SeededGenerator) -> [UInt8] {
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(Array.init)
        let line = Int.random(in: 0..<lines.count, using: &rng)
        switch mutation {
        case .deleteLine: lines.remove(at: line)
        case .duplicateLine: lines.insert(lines[line], at: line)
        case .swapLines: lines.swapAt(line, Int.random(in: 0..<lines.count, using: &rng))
        case .indent: lines[line].insert(contentsOf: Array("  ".utf8), at: 0)
        case .dedent: lines[line] = Array(lines[line].drop { $0 == UInt8(ascii: " ") })
        case .truncate: return Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &rng)))
        case .randomBytes:
            let at = Int.random(in: 0...bytes.count, using: &rng)
            let noise = (0..<Int.random(in: 1...16, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            return Array(bytes[..<at]) + noise + Array(bytes[at...])
        case .replaceByte:
            var copy = bytes
            if !copy.isEmpty { copy[Int.random(in: 0..<copy.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
            return copy
        case .insertTab: lines[line].insert(UInt8(ascii: "\t"), at: 0)
        case .insertSyntax:
            let tokens = ["{", "}", "[", "]", ":", "&a", "*a", "<<: x", "? ", "- ", "\"", "'", "!!binary ", "%YAML 1.1", "---", "|"]
            let token = Array(tokens[Int.random(in: 0..<tokens.count, using: &rng)].utf8)
            lines[line].insert(contentsOf: token, at: Int.random(in: 0...lines[line].count, using: &rng))
        }
        return Array(lines.joined(separator: [UInt8(ascii: "\n")]))
    }

    /// Every diagnostic points inside a file that was compiled.
    static func checkLocated(_ result: Compiler.Result, _ files: [SourceFile]) {
        let byPath = Dictionary(uniqueKeysWithValues: files.map { ($0.path, $0) })
        for diagnostic in result.diagnostics {
            guard let file = byPath[diagnostic.location.file] else {
                Issue.record("diagnostic for an unknown file: \(diagnostic)")
                continue
            }
            let lineCount = file.bytes.count { $0 == UInt8(ascii: "\n") } + 1
            #expect(diagnostic.location.line >= 1 && diagnostic.location.line <= lineCount, "\(diagnostic) \(file.bytes.filter { $0 == 13 }.count) CRs")
            #expect(diagnostic.location.column >= 1, "\(diagnostic)")
            #expect(!diagnostic.message.isEmpty)
        }
        if result.errorCount == 0 {
            #expect(result.program != nil)
        }
        _ = DiagnosticFormat.text.render(result.diagnostics, sources: byPath, fileCount: files.count)
        _ = DiagnosticFormat.sarif.render(result.diagnostics, sources: byPath, fileCount: files.count)
    }

    @Test func mutatedExamplePolicies() throws {
        let originals = try examplePolicies()
        var rng = SeededGenerator(state: 0xC0FF_EE15_600D)
        var errorsFound = 0
        for iteration in 0..<4000 {
            var files = originals
            let target = iteration % files.count
            var bytes = files[target].bytes
            for _ in 0...Int.random(in: 0...2, using: &rng) {
                bytes = Self.mutate(bytes, Mutation.allCases.randomElement(using: &rng)!, &rng)
            }
            files[target].bytes = bytes
            let result = Compiler().compile(files)
            if result.errorCount > 0 { errorsFound += 1 }
            Self.checkLocated(result, files)
        }
        // Most mutations break something; a mutator that changed nothing would fail this.
        #expect(errorsFound > 2000)
    }

    @Test func randomBytes() {
        var rng = SeededGenerator(state: 42)
        for _ in 0..<1000 {
            let bytes = (0..<Int.random(in: 0...512, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let file = SourceFile(path: "random.yaml", bytes: bytes)
            let result = Compiler().compile([file])
            Self.checkLocated(result, [file])
            #expect(result.errorCount > 0, "random bytes are never a valid policy")
        }
    }

    @Test func deepAndWideInputsStayBounded() {
        let deepMappings = (0..<1000).map { String(repeating: " ", count: $0) + "k\($0):" }.joined(separator: "\n")
        let result = compile("version: 1\nservice: shop\nx:\n" + deepMappings)
        #expect(result.diagnostics.contains { $0.code == .depthLimit })
        let wide = "version: 1\nservice: shop\ndescription: [" + Array(repeating: "a", count: 100_000).joined(separator: ",") + "]\n"
        #expect(compile(wide).errorCount == 1, "a huge list is parsed, then rejected as the wrong type")
    }
}
