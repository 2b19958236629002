import Testing
@testable import PolicyCompiler

/// Policies declared elsewhere (`--reference`, `references:`, a dependency's `policies` folder):
/// only their events are read.
@Suite("Referenced policies: events without copying files")
struct ReferencePoliciesTests {
    /// The user service's policy, owned by another team; it has problems of its own that are not ours.
    let users = """
        version: 1
        service: user
        params: { id: uuid, unused: int }
        keys:
          a: { pattern: "user:{id}", ttl: 1m, value: A }
          b: { pattern: "user:{id}", ttl: 1m, value: B }
        events:
          user.deleted:
            payload: { id: uuid }
            mutates: [user]
          user.renamed:
            payload: { id: uuid, name: string }

        """

    let payments = """
        version: 1
        service: payment
        defaults: { ttl: 5m }
        params: { userId: uuid }
        keys:
          recent: { pattern: "payment:recent:{userId}", value: Recent, dependsOn: [user] }
        invalidate:
          user.deleted:
            - { key: recent, bind: { userId: id } }

        """

    func compileWithReference(_ main: String, _ reference: String) -> Compiler.Result {
        Compiler().compile([SourceFile(path: "payment.yaml", text: main)], references: [SourceFile(path: "vendor/user.yaml", text: reference)])
    }

    @Test func aReferencedEventCanBeReactedToAndIsGenerated() throws {
        let result = compileWithReference(payments, users)
        #expect(result.diagnostics.isEmpty, "the reference's own problems are not reported: \(result.diagnostics.map(\.message))")
        let program = try #require(result.program)
        #expect(program.services.map(\.name) == ["payment"], "nothing is generated for the reference's service")
        #expect(program.events.map(\.name) == ["user.deleted"], "only consumed referenced events become payload types")
        #expect(program.events[0].producer == "user")
        let files = SwiftEmitter().emit(program).map(\.name)
        #expect(files == ["CacheEvents.swift", "PaymentCache.swift"])
    }

    @Test func withoutTheReferenceTheEventIsUnknown() {
        let result = Compiler().compile([SourceFile(path: "payment.yaml", text: payments)])
        #expect(result.diagnostics.map(\.code) == [.unmutatedEntity, .unknownEvent])
    }

    @Test func staleness_seesReferencedMutations() {
        let forgetful = payments.replacingOccurrences(of: "invalidate:\n  user.deleted:\n    - { key: recent, bind: { userId: id } }\n", with: "")
        let result = compileWithReference(forgetful, users)
        #expect(result.diagnostics.map(\.code) == [.staleOnEvent])
        #expect(result.diagnostics.first?.message.contains("'user.deleted' mutates 'user'") == true)
    }

    @Test func aBrokenReferenceIsStillAnError() {
        let result = compileWithReference(payments, "version: 1\nservice: user\nevents: [")
        #expect(result.diagnostics.contains { $0.code == .yamlSyntax && $0.location.file == "vendor/user.yaml" })
        #expect(result.program == nil)
    }

    @Test func aReferenceToAServiceCheckedHereAddsNothing() {
        let result = Compiler().compile(
            [SourceFile(path: "payment.yaml", text: payments), SourceFile(path: "user.yaml", text: users)],
            references: [SourceFile(path: "vendor/user.yaml", text: users)])
        #expect(!result.diagnostics.contains { $0.code == .duplicateService || $0.code == .duplicateEvent })
    }

    @Test func theHeadlineExampleOfTheLanguageReferenceLintsOnItsOwn() throws {
        let text = try String(contentsOfFile: packageRoot + "/docs/policy-language.md", encoding: .utf8)
        let start = try #require(text.range(of: "```yaml\n"))
        let end = try #require(text.range(of: "```\n", range: start.upperBound..<text.endIndex))
        let example = String(text[start.upperBound..<end.lowerBound])
        let result = Compiler().compile([SourceFile(path: "payment.yaml", text: example)])
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map { "\($0.location) \($0.code) \($0.message)" })")
    }
}

@Suite("A diagnostic limit bounds memory, not the truth")
struct DiagnosticLimitTests {
    @Test func theFirstFindingsAreKeptAndEveryOneIsCounted() {
        // 300 unused params (warnings) and 50 unknown ones (errors) in three files.
        let files = (0..<3).map { index in
            let unused = (0..<100).map { "  u\($0): int" }.joined(separator: "\n")
            let unknown = (0..<17).map { "  k\($0): { pattern: \"s\(index):k\($0):{missing\($0)}\", ttl: 1m, codec: string }" }.joined(separator: "\n")
            return SourceFile(path: "s\(index).yaml", text: "version: 1\nservice: s\(index)\nparams:\n\(unused)\nkeys:\n\(unknown)\n")
        }
        let all = Compiler().compile(files)
        let limited = Compiler(maxDiagnostics: 25).compile(files)
        #expect(all.diagnostics.count == all.warningCount + all.errorCount)
        #expect(limited.diagnostics == Array(all.diagnostics.prefix(25)))
        #expect(limited.errorCount == all.errorCount && limited.warningCount == all.warningCount)
        #expect(limited.omitted == all.diagnostics.count - 25)
        #expect(all.omitted == 0)
    }

    @Test func theBagTrimsAsItGoes() {
        var bag = DiagnosticBag(limit: 3)
        for line in (1...100).reversed() {
            bag.report(.unusedParam, at: SourceLocation(file: "f", line: line, column: 1), "p\(line)")
            #expect(bag.diagnostics.count < 6, "never more than twice the limit")
        }
        bag.report(.unusedParam, at: SourceLocation(file: "f", line: 7, column: 1), "p7")
        #expect(bag.total == 100, "a repeat is not counted")
        #expect(bag.sorted.map(\.location.line) == [1, 2, 3])
        #expect(bag.warningCount == 100 && bag.omitted == 97)
    }
}

@Suite("lint checks without building the program")
struct CheckOnlyTests {
    @Test func checkReportsWhatCompileReports() throws {
        let files = try examplePolicies()
        let checked = Compiler().check(files)
        let compiled = Compiler().compile(files)
        #expect(checked.program == nil && compiled.program != nil)
        #expect(checked.diagnostics == compiled.diagnostics)
        let broken = [SourceFile(path: "shop.yaml", text: goodPolicy.replacingOccurrences(of: "    - cart\n", with: "    - crat\n"))]
        #expect(Compiler().check(broken).diagnostics == Compiler().compile(broken).diagnostics)
    }
}
