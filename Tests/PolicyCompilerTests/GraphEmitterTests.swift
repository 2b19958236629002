import Testing
@testable import PolicyCompiler

@Suite("Graph emitter")
struct GraphEmitterTests {
    @Test func labelsAreEscapedForEachFormat() {
        #expect(GraphEmitter.mermaidText("a\"b<c>#d`e\nf") == "a#quot;b#lt;c#gt;#35;d#96;e f")
        #expect(GraphEmitter.dotString("a\"b\\c\nd") == "\"a\\\"b\\\\c d\"")
    }

    @Test func actionsReachTheFamiliesTheAlgebraSays() throws {
        let policy = shop(replacing: "    value: Cart\n", with: "    value: Cart\n    tags: [\"user:{userId}\"]\n")
            .replacingOccurrences(of: "    - cart\n", with: "    - tag: \"user:{userId}\"\n    - { pattern: \"shop:cart:{userId}\", scan: true }\n")
        let program = try #require(compile(policy).program)
        #expect(program.services[0].reactions[0].actions.map(\.reaches) == [["cart"], ["cart"]])
        #expect(program.services[0].staleness.isEmpty)
    }
}
