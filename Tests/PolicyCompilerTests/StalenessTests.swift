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
