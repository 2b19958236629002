import Benchmark
import PolicyCompiler

/// Compiler throughput on a generated corpus of 1,000 services × 20 key families, next to
/// libyaml's bare event parse of the same bytes in the same run (the baseline the ratio uses).
let benchmarks: @Sendable () -> Void = {
    let corpus = SyntheticCorpus.files(services: 1000, families: 20)
    let totalBytes = corpus.reduce(0) { $0 + $1.bytes.count }
    let check = Compiler().compile(corpus)
    precondition(check.errorCount == 0 && check.warningCount == 0,
                 "the synthetic corpus must be clean: \(check.diagnostics.prefix(3))")

    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput],
        timeUnits: .milliseconds,
        warmupIterations: 1,
        maxDuration: .seconds(20),
        maxIterations: 10)

    Benchmark("libyaml bare event parse (baseline), \(corpus.count) files, \(totalBytes / 1024) KiB") { benchmark in
        for file in corpus {
            blackHole(YAMLReader.countEvents(file.bytes))
        }
    }

    Benchmark("cachepolicy lint (parse, decode, check, program), same files") { benchmark in
        blackHole(Compiler().compile(corpus))
    }

    Benchmark("syntax only: libyaml into the node tree with limits, same files") { benchmark in
        for file in corpus {
            var diagnostics = DiagnosticBag()
            blackHole(YAMLReader.read(file, diagnostics: &diagnostics))
        }
    }
}
