import FuzzSupport
import PolicyCompiler

// One policy file: syntax, decoding, every check, the program and every emitter.
runFuzzer { data, size in
    _ = compileAndEmit([SourceFile(path: "fuzz.yaml", bytes: bytes(data, size))])
    return 0
}
