import Testing
@testable import PolicyCompiler

@Suite("Staleness rules (CP5xx)")
struct StalenessTests {
    @Test func missingInvalidationIsReportedWithItsBound() {
        let policy = shop(replacing: "    - cart\n", with: "    - pattern: \"shop:cart:*\"\n")
            .replacingOccurrences(of: "  cart.changed:\n    payload", with: "  cart.emptied:\n    payload: { userId: uuid }\n    mutates: [cart]\n  cart.changed:\n    payload")
        let finding = expectFinding(compile(policy), .staleOnEvent, line: 11, column: 17)
        #expect(finding?.message.contains("'cart.emptied' mutates 'cart'") == true)
        #expect(finding?.message.contains("up to 10m") == true)
        #expect(finding?.severity == .warning)
    }

    @Test func coveredByKeyTagOrPattern() {
        let tagged = shop(replacing: "    value: Cart", with: "    value: Cart\n    tags: [\"user:{userId}\"]")
        for action in ["    - cart\n", "    - tag: \"user:{userId}\"\n", "    - pattern: \"shop:cart:{userId}\"\n", "    - pattern: \"shop:*\"\n"] {
            let result = compile(tagged.replacingOccurrences(of: "    - cart\n", with: action))
            expectNoFinding(result, .staleOnEvent)
        }
    }

    @Test func otherServicesEventsCount() {
        // order.placed (in orders) mutates 'cart'; shop must react to it.
        let result = compile(["shop.yaml": goodPolicy, "orders.yaml": ordersPolicy])
        let finding = expectFinding(result, .staleOnEvent, line: 11, column: 17)
        #expect(finding?.message.contains("'order.placed'") == true)
        let fixed = goodPolicy + "  order.placed:\n    - cart\n"
        expectNoFinding(compile(["shop.yaml": fixed, "orders.yaml": ordersPolicy]), .staleOnEvent)
    }

    @Test func patternWithDifferentParamDoesNotCover() {
        let policy = shop(replacing: "  userId: uuid\n", with: "  userId: uuid\n  ownerId: uuid\n")
            .replacingOccurrences(of: "payload: { userId: uuid }", with: "payload: { userId: uuid, ownerId: uuid }")
            .replacingOccurrences(of: "    - cart\n", with: "    - pattern: \"shop:cart:{ownerId}\"\n")
        expectFinding(compile(policy), .staleOnEvent, line: 12, column: 17)
    }
}

@Suite("Grouped staleness and over-invalidation")
struct GroupedFindingsTests {
    @Test func oneStalenessWarningPerEventAndServiceWithTheWorstBound() {
        let policy = """
            version: 1
            service: shop
            defaults:
              ttl: 10m
            params:
              userId: uuid
            keys:
              cart:
                pattern: "shop:cart:{userId}"
                value: Cart
                dependsOn: [cart]
              summary:
                pattern: "shop:summary:{userId}"
                ttl: 1h
                value: Summary
                dependsOn: [cart]
            events:
              cart.changed:
                payload: { userId: uuid }
                mutates: [cart]

            """
        let result = compile(policy)
        let finding = expectFinding(result, .staleOnEvent, line: 11, column: 17)
        #expect(finding?.message.contains("2 key families ('cart', 'summary')") == true, "\(finding?.message ?? "")")
        #expect(finding?.message.contains("stale for up to 1h") == true, "the worst of 10m and 1h")
        #expect(finding?.related.map(\.location.line) == [16])
    }

    @Test func aPatternWithoutPayloadParamsNamesItsBlastRadius() {
        let policy = shop(replacing: "    - cart\n", with: "    - pattern: \"shop:cart:*\"\n")
        let finding = expectFinding(compile(policy), .overInvalidation, line: 18, column: 17)
        #expect(finding?.message.contains("drops every 'cart' entry (for all 'userId')") == true, "\(finding?.message ?? "")")
        #expect(finding?.hint?.contains("'userId'") == true)
        expectNoFinding(compile(shop(replacing: "    - cart\n", with: "    - pattern: \"shop:cart:{userId}\"\n")), .overInvalidation)
    }

    @Test func aTagWithoutPayloadParamsIsReportedButEnumKeyedAggregatesAreNot() {
        let tagged = shop(replacing: "    value: Cart\n", with: "    value: Cart\n    tags: [\"all-carts\"]\n")
            .replacingOccurrences(of: "    - cart\n", with: "    - tag: all-carts\n")
        expectFinding(compile(tagged), .overInvalidation, line: 19, column: 12)
        // revenue:{period} has four keys: dropping them all on a payment is what an aggregate needs.
        let aggregate = shop(replacing: "  userId: uuid\n", with: "  userId: uuid\n  period: { enum: [day, week] }\n")
            .replacingOccurrences(of: "    dependsOn: [cart]\n", with: "    dependsOn: [cart]\n  revenue:\n    pattern: \"shop:revenue:{period}\"\n    value: Revenue\n")
            .replacingOccurrences(of: "    - cart\n", with: "    - cart\n    - pattern: \"shop:revenue:*\"\n")
        expectNoFinding(compile(aggregate), .overInvalidation)
    }
}

@Suite("Staleness findings do not multiply")
struct StalenessScaleTests {
    /// Every service depends on the shared entities, and every service's events mutate them: one
    /// warning per service and entity, naming a few events and counting the rest.
    @Test func sharedEntitiesGiveOneWarningPerServiceAndEntity() throws {
        let services = 30, entities = 4
        let files = (0..<services).map { s in
            var text = "version: 1\nservice: s\(s)\ndefaults: { ttl: 15m }\nparams:\n  userId: uuid\nkeys:\n"
            for f in 0..<entities { text += "  f\(f): { pattern: \"s\(s):f\(f):{userId}\", value: V, dependsOn: [shared\(f)] }\n" }
            text += "events:\n"
            for e in 0..<entities { text += "  s\(s).e\(e):\n    payload: { userId: uuid }\n    mutates: [shared\(e)]\n" }
            return SourceFile(path: "s\(s).yaml", text: text)
        }
        let result = Compiler().compile(files)
        #expect(result.warningCount == services * entities, "not services × events × families")
        let first = try #require(result.diagnostics.first)
        #expect(first.message.contains("and \(services - 5) more events mutate 'shared0'"), "\(first.message)")
        let program = try #require(result.program)
        #expect(program.services[0].staleness.count == entities)
        #expect(program.services[0].staleness[0].eventCount == services)
    }

    /// The events a warning names are the entity's mutators in declaration order, each once (an
    /// event may list the entity twice), minus those whose reaction drops the family; the same
    /// whether the service reacts to fewer events than mutate the entity or to more.
    @Test func staleEventsAreTheUncoveredMutatorsInOrderEachOnce() throws {
        func policy(unrelatedReactions: Int) -> String {
            var text = """
                version: 1
                service: shop
                defaults: { ttl: 10m }
                params:
                  userId: uuid
                keys:
                  cart: { pattern: "shop:cart:{userId}", value: Cart, dependsOn: [cart] }
                  other: { pattern: "shop:other:{userId}", value: Other, dependsOn: [other] }
                events:
                  cart.e1: { payload: { userId: uuid }, mutates: [cart] }
                  cart.e2: { payload: { userId: uuid }, mutates: [cart, cart] }
                  cart.e3: { payload: { userId: uuid }, mutates: [cart, cart] }
                  cart.e4: { payload: { userId: uuid }, mutates: [cart] }

                """
            for x in 0..<unrelatedReactions { text += "  other.x\(x): { payload: { userId: uuid }, mutates: [other] }\n" }
            text += "invalidate:\n  cart.e2:\n    - cart\n"
            for x in 0..<unrelatedReactions { text += "  other.x\(x):\n    - other\n" }
            return text
        }
        // 1 reaction against 4 mutators, then 6 reactions against 4 mutators.
        for unrelated in [0, 5] {
            let result = compile(policy(unrelatedReactions: unrelated))
            let stale = result.diagnostics.filter { $0.code == .staleOnEvent }
            #expect(stale.count == 1, "\(stale.map(\.message))")
            #expect(stale.first?.message.hasPrefix("'cart.e1', 'cart.e3', 'cart.e4' mutate 'cart'") == true, "\(stale.first?.message ?? "")")
            let program = try #require(result.program)
            #expect(program.services[0].staleness.map(\.events) == [["cart.e1", "cart.e3", "cart.e4"]])
        }
        // A second family on the same entity that the reaction does not drop widens the gap: the
        // event the first family was covered on is added after those already named.
        let widened = policy(unrelatedReactions: 0).replacingOccurrences(
            of: "  other: {", with: "  summary: { pattern: \"shop:summary:{userId}\", value: Summary, dependsOn: [cart] }\n  other: {")
        let program = try #require(compile(widened).program)
        #expect(program.services[0].staleness.map(\.events) == [["cart.e1", "cart.e3", "cart.e4", "cart.e2"]])
        #expect(program.services[0].staleness.map(\.families) == [["cart", "summary"]])
    }
}
