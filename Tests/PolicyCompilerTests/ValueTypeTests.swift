import Testing
@testable import PolicyCompiler

@Suite("Value types a policy can name")
struct ValueTypeTests {
    @Test(arguments: [
        ("Book", "Book"), ("BookModels.Book", "BookModels.Book"), ("[Book]", "[Book]"), ("Book?", "Book?"),
        ("[String: Book]", "[String: Book]"), ("[String:Book]", "[String: Book]"), ("[ Book ]?", "[Book]?"),
        ("Page<Book>", "Page<Book>"), ("Models.Page<[Int: Models.Book?], Bool>", "Models.Page<[Int: Models.Book?], Bool>"),
        ("Café", "Café"), ("_Private", "_Private"),
    ])
    func accepted(_ written: String, _ canonical: String) {
        #expect(ValueTypeName(written)?.canonical == canonical)
    }

    @Test(arguments: [
        "", "[Book", "Book]", "[]", "Book<>", "Book!", "Book & Other", "a b", "1Book", "Book.", ".Book", "class",
        "Models.struct", "[String: ]", "Book??x", "any Book", "() -> Book", String(repeating: "[", count: 20) + "A" + String(repeating: "]", count: 20),
        String(repeating: "A", count: 300),
    ])
    func rejected(_ written: String) {
        #expect(ValueTypeName(written) == nil)
    }

    @Test func rootNamesAreWhatANestedTypeCouldShadow() {
        #expect(ValueTypeName("Models.Page<[Int: Book?]>")?.rootNames == ["Models", "Int", "Book"])
    }

    /// The checker's walk over root names (a plain name needs no list) gives the parser's answer.
    @Test(arguments: ["Book", "_Private", "Book2", "Café", "Models.Page<[Int: Book?]>", "[String: Book]", "class", "1Book", "", "a b"])
    func rootNamesWalkedWithoutAList(_ written: String) {
        var walked: [String] = []
        ValueTypeName.forEachRootName(of: written) { walked.append($0) }
        #expect(walked == (ValueTypeName(written)?.rootNames ?? []))
    }

    @Test func policiesAcceptCollectionsOptionalsAndModules() throws {
        let policy = shop(replacing: "    value: Cart\n", with: "    value: \"[String: Models.Cart]?\"\n")
        let result = compile(policy)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let program = try #require(result.program)
        #expect(program.services[0].keys[0].valueType == "[String: Models.Cart]?")
        let file = SwiftEmitter().emit(program).first { $0.name == "ShopCache.swift" }!
        #expect(file.contents.contains("-> CacheKey<[String: Models.Cart]?> {"))
    }

    @Test func malformedValueTypesAreLocatedErrors() {
        let result = compile(shop(replacing: "    value: Cart\n", with: "    value: \"[Cart\"\n"))
        let finding = expectFinding(result, .invalidIdentifier, line: 10, column: 12)
        #expect(finding?.hint?.contains("'[Book]'") == true)
    }
}

@Suite("Invalidations that would do nothing")
struct SilentInvalidationTests {
    let books = """
        version: 1
        service: books
        params:
          id: int
          q: string
        keys:
          byId:
            pattern: "books:byid:{id}"
            ttl: 5m
            value: Book
          search:
            pattern: "books:search:{q}"
            ttl: 5m
            value: Results
        events:
          book.changed:
            payload: { id: int }
            mutates: [book]
        invalidate:
          book.changed:
            - byId
            - { pattern: "books:search:*", wholesale: true }

        """

    @Test func aTypoedPatternIsAnErrorWithTheIntendedGlob() throws {
        let result = compile(["books.yaml": books.replacingOccurrences(of: "books:search:*", with: "books:serach:*")])
        let finding = try #require(expectFinding(result, .patternMatchesNothing, line: 22, column: 19, file: "books.yaml"))
        #expect(finding.severity == .error)
        #expect(finding.hint?.hasPrefix("did you mean 'books:search:*'?") == true, "\(finding.hint ?? "")")
        #expect(result.program == nil, "an error stops generation, so the build plugin fails")
    }

    @Test func anUndeclaredParamIsReportedOnce() {
        let result = compile(["books.yaml": books.replacingOccurrences(of: "books:search:*", with: "books:byid:{idx}")])
        #expect(result.diagnostics.map(\.code) == [.unknownParam], "\(result.diagnostics.map { "\($0.code) \($0.message)" })")
    }

    @Test func theCorrectPatternIsClean() {
        #expect(compile(["books.yaml": books]).diagnostics.isEmpty)
        // Without 'wholesale: true', dropping every search on one book's change is reported.
        let unmarked = compile(["books.yaml": books.replacingOccurrences(of: "{ pattern: \"books:search:*\", wholesale: true }", with: "pattern: \"books:search:*\"")])
        #expect(unmarked.diagnostics.map(\.code) == [.overInvalidation])
        let onKey = compile(["books.yaml": books.replacingOccurrences(of: "    - byId\n", with: "    - { key: byId, wholesale: true }\n")])
        expectFinding(onKey, .invalidValue, line: 21, column: 31, file: "books.yaml")
    }
}
