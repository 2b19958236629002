import Testing
@testable import PolicyCompiler

/// Pattern invalidations compiled into index sets (no SCAN), and the `scan: true` fallback.
@Suite("Pattern invalidations as index sets")
struct PatternIndexTests {
    /// A shop with a paged history keyed by user and page, invalidated by `pattern`.
    func history(_ action: String) -> String {
        shop(replacing: "    dependsOn: [cart]\n", with: """
                dependsOn: [cart]
              history:
                pattern: "shop:history:{userId}:{page}"
                value: Page

            """)
            .replacingOccurrences(of: "  userId: uuid\n", with: "  userId: uuid\n  page: int\n")
            .replacingOccurrences(of: "payload: { userId: uuid }", with: "payload: { userId: uuid, page: int }")
            .replacingOccurrences(of: "    - cart\n", with: "    - cart\n    - \(action)\n")
    }

    @Test func aKeyPrefixThenStarIsIndexed() throws {
        let result = compile(history("pattern: \"shop:history:{userId}:*\""))
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let service = try #require(result.program?.services.first)
        let family = try #require(service.keys.first { $0.name == "history" })
        #expect(family.indexes.map(\.text) == ["shop:history:{userId}:*"])
        #expect(service.keys.first { $0.name == "cart" }?.indexes.isEmpty == true, "the cart is not reached")
        let action = try #require(service.reactions.first?.actions.last)
        #expect(action.scan == false)
        // The generated write joins the index set, the plan drops it, with no SCAN pattern.
        let swift = SwiftEmitter().emit(try #require(result.program)).first { $0.name == "ShopCache.swift" }!.contents
        #expect(swift.contains("KeyFamilySpec.indexKey(service: \"shop\", \"shop:history:\\(KeyEncoder.uuid(userId)):*\")"))
        #expect(swift.contains("indexes: [KeyFamilySpec.indexKey(service: \"shop\", \"shop:history:\\(KeyEncoder.uuid(event.userId)):*\")]"))
        #expect(swift.contains("patterns: []"))
    }

    /// The index names the family's own params: a pattern param of another name lines up with
    /// the family's hole (both render the value the same way).
    @Test func templatesUseTheFamilysParams() throws {
        func pattern(_ text: String) -> KeyPattern {
            let segments = text.split(separator: ":").map { part -> KeyPattern.Segment in
                if part == "*" { return .wildcard }
                if part.hasPrefix("{") { return .hole(String(part.dropFirst().dropLast())) }
                return .literal(String(part))
            }
            let location = SourceLocation(file: "t.yaml", line: 1, column: 1)
            return KeyPattern(text: text, segments: segments, segmentLocations: Array(repeating: location, count: segments.count))
        }
        let family = pattern("a:{user}:{page}")
        #expect(PatternIndex.template(pattern("a:{id}:*"), for: family)?.text == "a:{user}:*")
        #expect(PatternIndex.template(pattern("a:*"), for: family)?.text == "a:*")
        #expect(PatternIndex.template(pattern("a:*:{page}"), for: family) == nil, "a star in the middle")
        #expect(PatternIndex.template(pattern("a:x:*"), for: family) == nil, "a literal where the key has a param")
        #expect(PatternIndex.template(pattern("a:{u}:{p}:*"), for: family) == nil, "as long as the key")
        #expect(PatternIndex.template(pattern("{a}:*"), for: pattern("a:{x}")) == nil, "a param where the key has a literal")
        #expect(PatternIndex.reason(pattern("a:*:{page}"), for: family) == "only a trailing '*' can be indexed")
        // Literals line up by their bytes, as Redis compares keys: not when only canonically equivalent.
        let accented = pattern("k:\u{E9}:{id}")
        #expect(PatternIndex.template(pattern("k:\u{E9}:*"), for: accented)?.text == "k:\u{E9}:*")
        #expect(PatternIndex.template(pattern("k:e\u{301}:*"), for: accented) == nil)
        #expect(PatternIndex.reason(pattern("k:e\u{301}:*"), for: accented) == "segment 2 differs from the key's")
        // The boolean answer is the template's, for every glob above.
        for glob in ["a:{id}:*", "a:*", "a:*:{page}", "a:x:*", "a:{u}:{p}:*", "b:*", "*"] {
            #expect(PatternIndex.isIndexable(pattern(glob), for: family) == (PatternIndex.template(pattern(glob), for: family) != nil), "\(glob)")
        }
    }

    @Test func otherShapesNeedScan() throws {
        let middle = compile(history("pattern: \"shop:history:*:{page}\""))
        let finding = expectFinding(middle, .patternNotIndexable, line: 23, column: 17)
        #expect(finding?.message.contains("only a trailing '*' can be indexed") == true)
        #expect(finding?.hint?.contains("'shop:history:{userId}:*'") == true)
        #expect(finding?.related.first?.message == "the key of 'history'")
        // Accepted explicitly, it runs as SCAN MATCH.
        let scanned = compile(history("{ pattern: \"shop:history:*:{page}\", scan: true }"))
        expectNoFinding(scanned, .patternNotIndexable)
        #expect(scanned.diagnostics.isEmpty, "\(scanned.diagnostics.map(\.message))")
        let service = try #require(scanned.program?.services.first)
        #expect(service.reactions.first?.actions.last?.scan == true)
        #expect(service.keys.first { $0.name == "history" }?.indexes.isEmpty == true)
        let swift = SwiftEmitter().emit(try #require(scanned.program)).first { $0.name == "ShopCache.swift" }!.contents
        #expect(swift.contains("patterns: [\"shop:history:*:\\(KeyEncoder.int(event.page))\"]"))
        // 'scan' belongs to patterns only.
        let tagged = compile(history("{ tag: \"user:{userId}\", scan: true }"))
        #expect(tagged.diagnostics.contains { $0.code == .invalidValue && $0.message.contains("'scan' applies to patterns") })
    }
}
