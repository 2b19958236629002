import Synchronization
import Testing
@testable import PolicyCompiler

/// Files are read and decoded on all cores and the checker's rules run as parallel jobs; the
/// result must not depend on scheduling or on the order files are given in.
@Suite("Parallel stages give one answer")
struct ParallelCompileTests {
    /// 40 services with findings from every stage: YAML syntax, decoding, per-service rules,
    /// whole-platform rules (duplicate keys across services, duplicate services and events).
    static let files: [SourceFile] = (0..<40).map { index in
        let service = index == 39 ? "s0" : "s\(index)"  // the last file repeats a service name
        let text: String
        if index % 13 == 5 {
            text = "version: 1\nservice: \(service)\nkeys: [unclosed\n"
        } else {
            text = """
                version: 1
                service: \(service)
                params:
                  id: int
                  unused\(index): int
                keys:
                  item:
                    pattern: "shared:{id}"
                    ttl: \(index % 3 == 0 ? "forever" : "5m")
                    codec: string
                events:
                  shared.changed:
                    payload: { id: int }
                invalidate:
                  shared.changed:
                    - { pattern: "shared:sreach:*" }
                """
        }
        return SourceFile(path: "p\(index).yaml", text: text)
    }

    static func render(_ result: Compiler.Result) -> [String] {
        result.diagnostics.map { "\($0.location) \($0.code) \($0.message)" }
    }

    @Test func theSameDiagnosticsWhateverTheSchedulingOrInputOrder() {
        let first = Compiler().compile(Self.files)
        #expect(first.errorCount > 40 && first.warningCount > 0, "every stage must have findings")
        let codes = Set(first.diagnostics.map(\.code))
        #expect(codes.isSuperset(of: [.yamlSyntax, .duplicateService, .duplicateEvent, .duplicateKeyFamily, .patternMatchesNothing]))
        for round in 0..<6 {
            let files = round.isMultiple(of: 2) ? Self.files.reversed() : Self.files.shuffled()
            let again = Compiler().compile(files)
            #expect(Self.render(again) == Self.render(first))
            #expect(again.errorCount == first.errorCount && again.warningCount == first.warningCount)
        }
    }

    @Test func aLimitKeepsTheFirstFindingsOfTheWholeReport() {
        let all = Self.render(Compiler().compile(Self.files))
        for limit in [1, 7, 30] {
            let limited = Compiler(maxDiagnostics: limit).compile(Self.files)
            #expect(Self.render(limited) == Array(all.prefix(limit)))
            #expect(limited.omitted == all.count - limit)
        }
    }

    @Test func parallelMapKeepsInputOrder() {
        let input = Array(0..<1_000)
        #expect(ParallelMap.map(input) { $0 * 2 } == input.map { $0 * 2 })
        #expect(ParallelMap.map([5]) { $0 + 1 } == [6])
        #expect(ParallelMap.map([Int]()) { $0 }.isEmpty)
    }

    /// Sorting many locations reads each path once; the order is still the one `<` gives, with
    /// files registered in an order unlike their paths' and ties kept in input order.
    @Test func locationOrderIsTheComparisonsOrder() {
        let files = ["order/c.yaml", "order/a.yaml", "order/b/x.yaml", "order/b.yaml"].map { SourceFiles.id($0) }
        var random = SystemRandomNumberGenerator()
        let locations = (0..<500).map { _ in
            SourceLocation(fileID: files.randomElement(using: &random)!, line: Int.random(in: 1...5, using: &random), column: Int.random(in: 1...3, using: &random))
        }
        let expected = locations.indices.sorted { locations[$0] < locations[$1] }
        #expect(SourceLocation.order(of: locations) == expected)
        #expect(SourceLocation.order(of: []) == [])
    }

    /// Deinitializations, counted from whichever thread runs them.
    private final class Counter: Sendable {
        let value = Mutex(0)
        var count: Int { value.withLock { $0 } }
    }

    private final class Tracked: Sendable {
        let deinits: Counter
        init(_ deinits: Counter) { self.deinits = deinits }
        deinit { deinits.value.withLock { $0 += 1 } }
    }

    @Test func parallelReleaseDeallocatesEveryElementButTheSharedOnes() {
        let deinits = Counter()
        do {
            let kept: [Tracked]
            do {
                let elements = (0..<1_000).map { _ in Tracked(deinits) }
                kept = Array(elements[10..<13])
                ParallelMap.release(consume elements)
            }
            // Every element went away during the call, except the three still referenced here.
            #expect(deinits.count == 997)
            #expect(kept.count == 3)
        }
        #expect(deinits.count == 1_000)
        // One element and none: released inline.
        ParallelMap.release([Tracked(deinits)])
        ParallelMap.release([Tracked]())
        #expect(deinits.count == 1_001)
    }
}
