import Foundation
import PolicyCompiler

/// Runs libFuzzer's driver with `body` as the target: SwiftPM gives every executable its own entry
/// point, so the harness calls the driver instead of letting libFuzzer provide `main`.
public func runFuzzer(_ body: @escaping @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> Never {
    var argc = CommandLine.argc
    var argv = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, body))
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

public func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
    data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
}

/// Small limits keep each run fast; the harness checks behaviour, not capacity.
public let fuzzLimits = SyntaxLimits(maxFileSize: 64 * 1024, maxDepth: 32, maxAliasExpansion: 2000)

/// A violated invariant: a crash libFuzzer records, with the reason.
public func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError("invariant violated: \(message())") }
}

/// Every diagnostic points into one of `files` (line within the file, column at least 1), and
/// every renderer handles it.
public func checkDiagnostics(_ diagnostics: [Diagnostic], files: [SourceFile]) {
    let lines = Dictionary(files.map { ($0.path, $0.bytes.count { $0 == UInt8(ascii: "\n") } + 1) }, uniquingKeysWith: { first, _ in first })
    for diagnostic in diagnostics {
        for location in [diagnostic.location] + diagnostic.related.map(\.location) {
            guard let count = lines[location.file] else {
                require(false, "\(diagnostic.code) points at an unknown file \(location.file)")
                return
            }
            require(location.line >= 1 && location.line <= count && location.column >= 1, "\(diagnostic.code) at \(location) outside the file (\(count) lines)")
        }
    }
    let sources = Dictionary(files.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
    for format in DiagnosticFormat.allCases {
        _ = format.render(diagnostics, sources: sources, fileCount: files.count, colored: false)
    }
}

/// Compiles, checks the diagnostics, and pushes a program through every emitter twice: output
/// must be byte-identical across runs.
public func compileAndEmit(_ files: [SourceFile]) -> Program? {
    let result = Compiler(limits: fuzzLimits).compile(files)
    checkDiagnostics(result.diagnostics, files: files)
    require((result.program == nil) == (result.errorCount > 0), "a program exists exactly when there is no error")
    guard let program = result.program else { return nil }
    let swift = SwiftEmitter().emit(program)
    require(swift == SwiftEmitter().emit(program), "Swift output is deterministic")
    require(swift.allSatisfy { $0.contents.hasPrefix(SwiftEmitter.marker) }, "every generated file carries the marker")
    _ = JSONEmitter.emit(program)
    for format in GraphEmitter.Format.allCases { _ = GraphEmitter.emit(program, format: format) }
    return program
}
