import Foundation
import Testing
@testable import PolicyCompiler

/// Replays every input the fuzzers found (`Fixtures/fuzz`, written by scripts/fuzz), through the
/// path its harness took; each must end with diagnostics or output, never a crash or a hang.
@Suite("Fuzzing regressions")
struct FuzzRegressionTests {
    static let folder = packageRoot + "/Tests/PolicyCompilerTests/Fixtures/fuzz"
    static let limits = SyntaxLimits(maxFileSize: 64 * 1024, maxDepth: 32, maxAliasExpansion: 2000)

    static var inputs: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasPrefix("Fuzz") }.sorted()
    }

    @Test func theFolderIsThere() {
        #expect(FileManager.default.fileExists(atPath: Self.folder + "/README.md"), "scripts/fuzz writes its findings here")
    }

    @Test(arguments: inputs)
    func replays(_ name: String) throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.folder + "/" + name)))
        if name.hasPrefix("FuzzConfig") {
            let (config, diagnostics) = GenerationConfig.decode(SourceFile(path: "cachepolicy.yaml", bytes: bytes), limits: Self.limits)
            #expect((config == nil) == diagnostics.contains { $0.severity == .error })
        } else if name.hasPrefix("FuzzDiff") {
            let cut = bytes.firstIndex(of: 0) ?? bytes.count / 2
            let old = Compiler(limits: Self.limits).compile([SourceFile(path: "old.yaml", bytes: Array(bytes[..<cut]))])
            let new = Compiler(limits: Self.limits).compile([SourceFile(path: "new.yaml", bytes: Array(bytes[min(cut + 1, bytes.count)...]))])
            if let a = old.program, let b = new.program {
                _ = PolicyDiff.compare(old: a, new: b)
                #expect(PolicyDiff.compare(old: a, new: a).isEmpty)
            }
        } else {
            let result = Compiler(limits: Self.limits).compile([SourceFile(path: "fuzz.yaml", bytes: bytes)])
            #expect((result.program == nil) == (result.errorCount > 0))
            if let program = result.program {
                #expect(SwiftEmitter().emit(program) == SwiftEmitter().emit(program))
                _ = JSONEmitter.emit(program)
                _ = GraphEmitter.emit(program, format: .dot)
            }
        }
    }
}
