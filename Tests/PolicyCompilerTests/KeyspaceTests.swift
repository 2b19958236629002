import Testing
import TestSupport
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

    /// Every glob and family of up to three segments over a small alphabet: the boolean answers
    /// (a table of sub-answers, or a straight comparison when the glob has no `*`) agree with the
    /// witness search and with a plain recursive definition.
    @Test func booleanAnswersAgreeWithTheDefinitions() {
        let pieces: [S] = [.literal("a"), .literal("1"), .typed(name: "id", .string), .typed(name: "n", .int), .typed(name: "e", .enumeration(["a", "b"]))]
        func sequences(_ alphabet: [S], upTo length: Int) -> [[S]] {
            var all: [[S]] = [[]]
            var layer: [[S]] = [[]]
            for _ in 0..<length {
                layer = layer.flatMap { prefix in alphabet.map { prefix + [$0] } }
                all += layer
            }
            return all
        }
        func covers(_ glob: ArraySlice<S>, _ family: ArraySlice<S>) -> Bool {
            guard let first = glob.first else { return family.isEmpty }
            if first == .wildcard {
                return (1...max(1, family.count)).contains { $0 <= family.count && covers(glob.dropFirst(), family.dropFirst($0)) }
            }
            guard let head = family.first else { return false }
            switch (first, head) {
            case (.literal(let p), .literal(let q)): return p == q && covers(glob.dropFirst(), family.dropFirst())
            case (.typed(let p, _), .typed(let q, _)): return p == q && covers(glob.dropFirst(), family.dropFirst())
            default: return false
            }
        }
        let families = sequences(pieces, upTo: 3)
        let globs = sequences(pieces + [.wildcard], upTo: 3)
        var compared = 0
        for glob in globs {
            for family in families {
                #expect(SegmentAlgebra.globMatches(glob, family) == (SegmentAlgebra.globMatch(glob, family) != nil), "\(glob) \(family)")
                #expect(SegmentAlgebra.globCovers(glob, family) == covers(glob[...], family[...]), "\(glob) \(family)")
                if !glob.contains(.wildcard) {
                    #expect(SegmentAlgebra.overlaps(glob, family) == (SegmentAlgebra.overlap(glob, family) != nil), "\(glob) \(family)")
                }
                compared += 1
            }
        }
        #expect(compared == 259 * 156)
    }
}

@Suite("Keyspace analysis is exact on bytes")
struct KeyspaceBytesTests {
    /// Two families whose second literal differs only in Unicode normalisation or compatibility.
    func twoFamilies(_ a: String, _ b: String) -> String {
        shop(replacing: "    dependsOn: [cart]\n", with: """
                dependsOn: [cart]
              first:
                pattern: "k:\(a):x"
                value: First
              second:
                pattern: "k:\(b):x"
                value: Second

            """)
    }

    @Test(arguments: [
        ("\u{E9}", "e\u{301}"),   // é precomposed vs e + combining acute: canonically equivalent, other bytes
        ("K", "\u{212A}"),         // K vs the Kelvin sign
        (";", "\u{37E}"),          // ; vs the Greek question mark
        ("\u{C5}", "A\u{30A}"),    // Å vs A + ring
    ])
    func equivalentTextIsNotTheSameKey(_ a: String, _ b: String) {
        let result = compile(twoFamilies(a, b))
        expectNoFinding(result, .duplicateKeyFamily)
        expectNoFinding(result, .keyOverlap)
        #expect(!result.diagnostics.contains { $0.severity == .error }, "\(result.diagnostics.map(\.message))")
    }

    /// Literals of up to 16 bytes compare and hash as two integers, longer ones as memory: both
    /// must mean "the same bytes", on each side of the boundary and for non-ASCII text.
    @Test func literalBytesCompareAndHashAsTheirBytes() {
        let base = ["", "a", "abcdefgh", "abcdefghi", "abcdefghijklmnop", "abcdefghijklmnopq", "\u{E9}", "e\u{301}",
                    "K", "\u{212A}", "\u{E9}\u{E9}\u{E9}\u{E9}\u{E9}\u{E9}\u{E9}\u{E9}", "\u{E9}\u{E9}\u{E9}\u{E9}\u{E9}\u{E9}\u{E9}\u{E9}x"]
        let texts = base + base.map { $0 + "z" } + base.map { "z" + $0 }
        for a in texts {
            for b in texts {
                let same = Array(a.utf8) == Array(b.utf8)
                #expect((SegmentAlgebra.Bytes(a) == SegmentAlgebra.Bytes(b)) == same, "\(a) vs \(b)")
                if same { #expect(SegmentAlgebra.Bytes(a).hashValue == SegmentAlgebra.Bytes(b).hashValue) }
            }
        }
        #expect(Set(texts.map { SegmentAlgebra.Bytes($0) }).count == Set(texts.map { Array($0.utf8) }).count)
    }

    @Test func identicalBytesStillCollide() {
        expectFinding(compile(twoFamilies("\u{E9}", "\u{E9}")), .duplicateKeyFamily, line: 16, column: 15)
    }

    @Test func aColonFollowedByACombiningMarkStillSeparates() throws {
        // "k:\u{301}x" is three Characters but two segments: Redis sees the ':' byte.
        let policy = shop(replacing: "pattern: \"shop:cart:{userId}\"", with: "pattern: \"shop:cart:\u{301}x:{userId}\"")
        let program = try #require(compile(policy).program)
        #expect(program.services[0].keys[0].pattern.segments.count == 4)
    }

    @Test func enumsWithTheSameValuesInAnotherOrderAreOneType() {
        let policy = shop(replacing: "  userId: uuid\n", with: "  userId: uuid\n  period: { enum: [day, week] }\n")
            .replacingOccurrences(of: "pattern: \"shop:cart:{userId}\"", with: "pattern: \"shop:cart:{userId}:{period}\"")
            .replacingOccurrences(of: "payload: { userId: uuid }", with: "payload: { userId: uuid, period: { enum: [week, day] } }")
        let result = compile(policy)
        expectNoFinding(result, .bindTypeMismatch)
        #expect(result.program != nil, "\(result.diagnostics.map(\.message))")
    }
}

@Suite("Overlap check: partitioned, not pairwise")
struct OverlapPartitionTests {
    /// Random families over a small alphabet of literals and typed holes, so that many share keys.
    /// The partitioned check must report exactly the pairs a brute-force comparison of every pair finds.
    /// With 40 families each group (one segment count) is compared pair by pair; with 150 the
    /// groups pass ``Checker/pairwiseGroupSize`` and are partitioned.
    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func agreesWithEveryPairCompared(seed: UInt64) {
        var random = SeededGenerator(state: seed)
        let familyCount = seed <= 4 ? 40 : 150
        let literals = ["a", "b", "1", "true", "x%20y", "00000000-0000-0000-0000-000000000000"]
        let holes = ["{s}", "{n}", "{u}", "{f}", "{e}"]
        var families: [String] = []
        var seen = Set<String>()
        while families.count < familyCount {
            let length = Int.random(in: 1...4, using: &random)  // "k" alone: a group of one segment
            let rest = (1..<length).map { _ in Bool.random(using: &random) ? literals.randomElement(using: &random)! : holes.randomElement(using: &random)! }
            let pattern = (["k"] + rest).joined(separator: ":")
            // A param is used at most once per pattern.
            guard Set(rest.filter { $0.hasPrefix("{") }).count == rest.filter({ $0.hasPrefix("{") }).count,
                  seen.insert(pattern).inserted else { continue }
            families.append(pattern)
        }
        var text = "version: 1\nservice: shop\ndefaults:\n  ttl: 10m\n  codec: string\n"
        text += "params:\n  s: string\n  n: int\n  u: uuid\n  f: bool\n  e: { enum: [a, b, true] }\nkeys:\n"
        for (index, pattern) in families.enumerated() { text += "  f\(index):\n    pattern: \"\(pattern)\"\n" }
        let result = compile(text)
        let reported = Set(result.diagnostics.filter { $0.code == .keyOverlap || $0.code == .duplicateKeyFamily }.map { $0.location.line })
        // Brute force: the later family of every overlapping pair is reported.
        let types: [String: ParamType] = ["s": .string, "n": .int, "u": .uuid, "f": .bool, "e": .enumeration(["a", "b", "true"])]
        var expected = Set<Int>()
        let segments = families.map { pattern in
            pattern.split(separator: ":").map { piece -> SegmentAlgebra.Segment in
                piece.hasPrefix("{") ? .typed(name: String(piece.dropFirst().dropLast()), types[String(piece.dropFirst().dropLast())]!) : .literal(SegmentAlgebra.Bytes(String(piece)))
            }
        }
        for later in families.indices {
            for earlier in 0..<later where SegmentAlgebra.overlap(segments[earlier], segments[later]) != nil {
                expected.insert(14 + 2 * later)  // the line of family `later`'s pattern
            }
        }
        #expect(reported == expected)
        #expect(!expected.isEmpty, "the alphabet is small enough that some families overlap")
    }

    /// Families of one segment have no second literal to tell them apart by: still compared.
    @Test func oneSegmentFamiliesAreCompared() {
        let text = "version: 1\nservice: shop\ndefaults:\n  ttl: 10m\n  codec: string\nkeys:\n"
            + "  a:\n    pattern: \"shop\"\n  b:\n    pattern: \"shop\"\n  c:\n    pattern: \"shop:x\"\n  d:\n    pattern: \"shop:y\"\n"
        let result = compile(text)
        expectFinding(result, .duplicateKeyFamily, line: 10, column: 15)
        #expect(result.diagnostics.filter { $0.code == .duplicateKeyFamily || $0.code == .keyOverlap }.count == 1)
    }
}
