import Testing
@testable import PolicyCompiler

@Suite("Keyspace rules (CP4xx)")
struct KeyspaceTests {
    /// `shop` with an extra key family (and extra params).
    func withFamily(_ pattern: String, params: String = "") -> String {
        shop(replacing: "  userId: uuid\n", with: "  userId: uuid\n\(params)")
            .replacingOccurrences(of: "events:", with: "  extra:\n    pattern: \"\(pattern)\"\n    value: Extra\nevents:")
    }

    @Test func stringHoleOverlapsLiteral() {
        // A uuid hole can never render 'me'.
        expectNoFinding(compile(withFamily("shop:cart:me")), .keyOverlap)
        let named = compile(withFamily("shop:cart:{name}", params: "  name: string\n"))
        let overlap = expectFinding(named, .keyOverlap, line: 14, column: 15)
        #expect(overlap?.message.contains("e.g. 'shop:cart:00000000-0000-0000-0000-000000000000'") == true)
    }

    @Test func stringHoleVersusLiteralFamily() {
        let policy = shop(replacing: "\"shop:cart:{userId}\"", with: "\"shop:cart:{name}\"")
            .replacingOccurrences(of: "  userId: uuid\n", with: "  userId: uuid\n  name: string\n")
            .replacingOccurrences(of: "events:", with: "  admin:\n    pattern: \"shop:cart:admin\"\n    value: Extra\nevents:")
        let finding = expectFinding(compile(policy), .keyOverlap, line: 14, column: 15)
        #expect(finding?.message.contains("'shop:cart:admin'") == true)
    }

    @Test func disjointTypesDoNotOverlap() {
        for (pattern, params) in [
            ("shop:cart:{n}", "  n: int\n"), ("shop:cart:{b}", "  b: bool\n"),
            ("shop:cart:{e}", "  e: { enum: [red, blue] }\n"), ("shop:cart:{userId}:items", ""), ("shop:carts:{userId}", ""),
        ] {
            let result = compile(withFamily(pattern, params: params))
            expectNoFinding(result, .keyOverlap)
            expectNoFinding(result, .duplicateKeyFamily)
        }
    }

    @Test func overlapAcrossServices() {
        let orders = ordersPolicy.replacingOccurrences(of: "\"orders:order:{orderId}\"", with: "\"shop:cart:{orderId}\"")
        let result = compile(["shop.yaml": goodPolicy, "orders.yaml": orders])
        // Same keys (both uuid): reported at the later declaration, shop.yaml.
        let finding = expectFinding(result, .duplicateKeyFamily, line: 9, column: 15)
        #expect(finding?.message.contains("of the service 'orders'") == true)
    }

    @Test func patternMustStartWithLiteral() {
        expectFinding(compile(withFamily("{userId}:shop")), .patternStartsWithHole, line: 13, column: 15)
        let glob = shop(replacing: "    - cart\n", with: "    - cart\n    - pattern: \"{userId}:*\"\n")
        expectFinding(compile(glob), .patternStartsWithHole, line: 19, column: 17)
    }

    @Test func patternInvalidationCrossingServices() {
        let orders = ordersPolicy.replacingOccurrences(of: "    - order\n", with: "    - order\n    - pattern: \"shop:*\"\n")
            .replacingOccurrences(of: "\"orders:order:{orderId}\"", with: "\"shop:order:{orderId}\"")
        let result = compile(["shop.yaml": goodPolicy, "orders.yaml": orders])
        let finding = expectFinding(result, .patternCrossesService, line: 21, column: 17, file: "orders.yaml")
        #expect(finding?.message.contains("'cart' in the service 'shop'") == true)
        #expect(finding?.related.first?.location.file == "shop.yaml")
    }

    @Test func boundPatternThatCannotReachOtherKeysIsFine() {
        let policy = shop(replacing: "    - cart\n", with: "    - pattern: \"shop:cart:*\"\n")
        let result = compile(["shop.yaml": policy, "orders.yaml": ordersPolicy])
        expectNoFinding(result, .patternCrossesService)
        expectNoFinding(result, .patternMatchesNothing)
    }

    @Test func patternMatchingNothing() {
        let policy = shop(replacing: "    - cart\n", with: "    - cart\n    - pattern: \"shop:carts:*\"\n")
        expectFinding(compile(policy), .patternMatchesNothing, line: 19, column: 17)
    }

    @Test func tagCarriedByNoFamily() {
        let policy = shop(replacing: "    - cart\n", with: "    - cart\n    - tag: \"user:{userId}\"\n")
        expectFinding(compile(policy), .patternMatchesNothing, line: 19, column: 13)
        let carried = policy.replacingOccurrences(of: "    value: Cart", with: "    value: Cart\n    tags: [\"user:{userId}\"]")
        expectNoFinding(compile(carried), .patternMatchesNothing)
    }
}

@Suite("Segment algebra")
struct SegmentAlgebraTests {
    typealias S = SegmentAlgebra.Segment

    @Test func commonSegments() {
        #expect(SegmentAlgebra.common(.literal("me"), .typed(name: "n", .string)) == "me")
        #expect(SegmentAlgebra.common(.literal("me"), .typed(name: "n", .uuid)) == nil)
        #expect(SegmentAlgebra.common(.literal("042"), .typed(name: "n", .int)) == nil, "ints render without leading zeros")
        #expect(SegmentAlgebra.common(.literal("42"), .typed(name: "n", .int)) == "42")
        #expect(SegmentAlgebra.common(.literal("a%20b"), .typed(name: "n", .string)) == "a%20b")
        #expect(SegmentAlgebra.common(.literal("a%41"), .typed(name: "n", .string)) == nil, "'A' is never percent-encoded")
        #expect(SegmentAlgebra.common(.literal("a@b"), .typed(name: "n", .string)) == nil, "'@' is always percent-encoded")
        #expect(SegmentAlgebra.common(.typed(name: "a", .int), .typed(name: "b", .uuid)) == nil)
        #expect(SegmentAlgebra.common(.typed(name: "a", .enumeration(["x", "1"])), .typed(name: "b", .int)) == "1")
        #expect(SegmentAlgebra.common(.typed(name: "a", .enumeration(["x"])), .typed(name: "b", .enumeration(["y"]))) == nil)
        #expect(SegmentAlgebra.common(.typed(name: "a", .bool), .typed(name: "b", .string)) == "true")
    }

    @Test func globMatching() {
        let family: [S] = [.literal("payment"), .literal("history"), .typed(name: "userId", .uuid), .typed(name: "page", .int)]
        #expect(SegmentAlgebra.globMatch([.literal("payment"), .wildcard], family) != nil)
        #expect(SegmentAlgebra.globMatch([.literal("payment"), .literal("history"), .wildcard, .wildcard], family) != nil)
        #expect(SegmentAlgebra.globMatch([.literal("payment"), .literal("recent"), .wildcard], family) == nil)
        #expect(SegmentAlgebra.globMatch([.literal("payment"), .wildcard, .literal("x"), .wildcard], family) == nil)
        #expect(SegmentAlgebra.globMatch(family + [.wildcard], family) == nil, "'*' needs at least one segment")
    }

    @Test func globCoverage() {
        let family: [S] = [.literal("payment"), .literal("history"), .typed(name: "userId", .uuid), .typed(name: "page", .int)]
        let byUser: [S] = [.literal("payment"), .literal("history"), .typed(name: "userId", .uuid), .wildcard]
        #expect(SegmentAlgebra.globCovers(byUser, family))
        let byOther: [S] = [.literal("payment"), .literal("history"), .typed(name: "ownerId", .uuid), .wildcard]
        #expect(!SegmentAlgebra.globCovers(byOther, family), "a differently named param is a different value")
        #expect(!SegmentAlgebra.globCovers([.literal("payment"), .literal("history"), .literal("x"), .wildcard], family))
        #expect(SegmentAlgebra.globCovers([.literal("payment"), .wildcard], family))
    }
}
