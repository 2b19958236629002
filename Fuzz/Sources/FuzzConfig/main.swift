import FuzzSupport
import PolicyCompiler

// A generation config (cachepolicy.yaml): located errors or a config, never a crash.
runFuzzer { data, size in
    let file = SourceFile(path: "cachepolicy.yaml", bytes: bytes(data, size))
    let (config, diagnostics) = GenerationConfig.decode(file, limits: fuzzLimits)
    checkDiagnostics(diagnostics, files: [file])
    require((config == nil) == diagnostics.contains { $0.severity == .error }, "a config exists exactly when there is no error")
    if let config {
        require(config.imports.allSatisfy(GenerationConfig.isModuleName), "imports are module names")
    }
    return 0
}
