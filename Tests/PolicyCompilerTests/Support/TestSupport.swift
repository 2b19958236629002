import Testing
@testable import PolicyCompiler

/// A small policy that lints clean with `--strict`; tests derive bad variants from it.
let goodPolicy = """
    version: 1
    service: shop
    defaults:
      ttl: 10m
    params:
      userId: uuid
    keys:
      cart:
        pattern: "shop:cart:{userId}"
        value: Cart
        dependsOn: [cart]
    events:
      cart.changed:
        payload: { userId: uuid }
        mutates: [cart]
    invalidate:
      cart.changed:
        - cart

    """

/// Compiles in-memory files (`path: text`).
func compile(_ files: [String: String], limits: SyntaxLimits = .default) -> Compiler.Result {
    Compiler(limits: limits).compile(files.map { SourceFile(path: $0.key, text: $0.value) })
}

func compile(_ text: String, limits: SyntaxLimits = .default) -> Compiler.Result {
    compile(["shop.yaml": text], limits: limits)
}

/// Expects exactly one diagnostic with `code`, at `line`:`column` of `file`; returns it.
@discardableResult
func expectFinding(
    _ result: Compiler.Result, _ code: DiagnosticCode, line: Int, column: Int, file: String = "shop.yaml",
    sourceLocation: Testing.SourceLocation = #_sourceLocation
) -> Diagnostic? {
    let found = result.diagnostics.filter { $0.code == code }
    #expect(found.count == 1, "expected one \(code), got: \(result.diagnostics.map { "\($0.location) \($0.code) \($0.message)" })", sourceLocation: sourceLocation)
    guard let diagnostic = found.first else { return nil }
    #expect(diagnostic.location == PolicyCompiler.SourceLocation(file: file, line: line, column: column), "\(diagnostic.message)", sourceLocation: sourceLocation)
    return diagnostic
}

/// Expects no diagnostic with `code`.
func expectNoFinding(_ result: Compiler.Result, _ code: DiagnosticCode, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    let found = result.diagnostics.filter { $0.code == code }
    #expect(found.isEmpty, "unexpected: \(found.map { "\($0.location) \($0.message)" })", sourceLocation: sourceLocation)
}

/// `goodPolicy` with one piece of text replaced.
func shop(replacing old: String, with new: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> String {
    #expect(goodPolicy.contains(old), "the base policy has no '\(old)'", sourceLocation: sourceLocation)
    return goodPolicy.replacingOccurrences(of: old, with: new)
}

/// The package root, for tests that read `policies/` and `docs/`.
let packageRoot: String = {
    var path = #filePath
    repeat {
        path = String(path[..<path.lastIndex(of: "/")!])
    } while !FileManager.default.fileExists(atPath: path + "/Package.swift")
    return path
}()

import Foundation

/// The example platform's policy files, as the CLI would read them.
func examplePolicies() throws -> [SourceFile] {
    let folder = packageRoot + "/policies"
    return try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".yaml") }.sorted().map {
        SourceFile(path: "policies/" + $0, bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: folder + "/" + $0))))
    }
}
