import Testing
@testable import PolicyCompiler

/// Services far past the usual handful of params and families (generated or hostile files): names
/// are then hashed instead of searched, so checking stays linear, with the same findings as the
/// small path; and "did you mean" hints stop when a service's budget for them is spent, so
/// thousands of misspelt names among thousands of candidates cannot make a lint quadratic.
@Suite("Large services")
struct LargeServiceTests {
    /// A service with `params` params (`p0`…) and `families` families (`k0`…, each using `p0`),
    /// plus whatever `extra` YAML follows `keys:`' entries.
    func policy(params: Int, families: Int, pattern: (Int) -> String = { "s:k\($0):{p0}" }, extra: String = "") -> String {
        var text = "version: 1\nservice: shop\ndefaults: { ttl: 5m, codec: string }\nparams:\n"
        for index in 0..<params { text += "  p\(index): string\n" }
        text += "events:\n  thing.changed:\n    payload: { p0: string }\n    mutates: [thing]\nkeys:\n"
        for index in 0..<families { text += "  k\(index): { pattern: \"\(pattern(index))\", dependsOn: [thing] }\n" }
        return text + extra
    }

    @Test func manyParamsAreFoundAndTheUnusedReported() {
        let count = 3 * NameIndex.linearLimit
        // Families use p0…p19; one pattern misspells p7.
        let text = policy(params: count, families: 20, pattern: { $0 == 5 ? "s:k5:{p7x}" : "s:k\($0):{p\($0)}" }, extra: "invalidate:\n  thing.changed:\n" + (0..<20).map { "    - { key: k\($0), bind: { p\($0): p0 } }\n" }.joined())
        let result = compile(text)
        let unknown = result.diagnostics.filter { $0.code == .unknownParam }
        #expect(unknown.map(\.message) == ["the pattern of 'k5' uses the param 'p7x', which is not declared under 'params:'"])
        #expect(unknown.first?.hint == "did you mean 'p7'?")
        let unused = result.diagnostics.filter { $0.code == .unusedParam }.map(\.message)
        #expect(unused == ([5] + Array(20..<count)).map { "the param 'p\($0)' is not used by any key pattern or tag" })
    }

    @Test func aLongPatternFindsAParamUsedTwice() {
        let holes = (0..<(NameIndex.linearLimit + 4)).map { "{p\($0)}" } + ["{p2}"]
        let result = compile(policy(params: NameIndex.linearLimit + 4, families: 1, pattern: { _ in "s:" + holes.joined(separator: ":") }))
        let twice = result.diagnostics.filter { $0.code == .invalidPattern }
        #expect(twice.map(\.message) == ["the pattern of key family 'k0' uses the param 'p2' twice"], "\(result.diagnostics)")
    }

    @Test func familiesOfALargeServiceAreFoundByName() throws {
        let count = 3 * NameIndex.linearLimit
        let extra = """
            invalidate:
              thing.changed:
                - { key: k40, bind: { p0: p0 } }
                - { key: k40x, bind: { p0: p0 } }
            warmup:
              hourly:
                keys: [k30, k31]
                source: everything
                every: 1h

            """
        let result = compile(policy(params: 1, families: count, extra: extra))
        let unknown = result.diagnostics.filter { $0.code == .unknownKeyFamily }
        #expect(unknown.map(\.message) == ["the service 'shop' has no key family 'k40x'"])
        #expect(unknown.first?.hint == "did you mean 'k40'?")
        // The warmup's families were found: their TTL (5m) is shorter than its interval.
        #expect(result.diagnostics.contains { $0.code == .warmupOutlivesTTL }, "\(result.diagnostics)")
        // Without the typo the program is built: the key invalidation reaches its family by name.
        let clean = compile(policy(params: 1, families: count, extra: extra.replacingOccurrences(of: "    - { key: k40x, bind: { p0: p0 } }\n", with: "")))
        let program = try #require(clean.program, "\(clean.diagnostics.filter { $0.severity == .error })")
        #expect(program.services.first?.reactions.first?.actions.map(\.reaches) == [["k40"]])
    }

    /// Each misspelt param is compared with all 250 declared ones: 2,500 of them would cost
    /// 625,000 comparisons, past a service's budget. Hints come while it lasts (the first 2,000
    /// misses), the plain fix after, in the same places on every run.
    @Test func hintsStopWhenTheServicesBudgetIsSpent() {
        let declared = 250
        let misses = 2500
        let holesPerFamily = 50
        let text = policy(params: declared, families: misses / holesPerFamily, pattern: { family in
            "s:" + (0..<holesPerFamily).map { "{p\((family * holesPerFamily + $0) % declared)x}" }.joined(separator: ":")
        })
        let first = compile(text).diagnostics.filter { $0.code == .unknownParam }
        #expect(first.count == misses)
        let hinted = first.prefix { $0.hint?.hasPrefix("did you mean") == true }.count
        #expect(hinted == Checker.suggestionComparisons / declared, "hints until the budget is spent")
        #expect(first.dropFirst(hinted).allSatisfy { $0.hint?.hasPrefix("declare it, e.g.") == true })
        #expect(first[0].hint == "did you mean 'p0'?")
        let again = compile(text).diagnostics.filter { $0.code == .unknownParam }
        #expect(again.map(\.hint) == first.map(\.hint), "the same hints on every run")
    }
}
