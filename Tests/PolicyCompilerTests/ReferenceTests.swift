import Testing
@testable import PolicyCompiler

/// A second service for cross-file rules.
let ordersPolicy = """
    version: 1
    service: orders
    defaults:
      ttl: 5m
    params:
      orderId: uuid
      customerId: uuid
    keys:
      order:
        pattern: "orders:order:{orderId}"
        value: Order
        tags: ["customer:{customerId}"]
        dependsOn: [order]
    events:
      order.placed:
        payload: { orderId: uuid, customerId: uuid, userId: uuid }
        mutates: [order, cart]
    invalidate:
      order.placed:
        - order

    """

@Suite("Reference rules (CP3xx)")
struct ReferenceTests {
    @Test func twoGoodServicesAreClean() {
        let result = compile(["shop.yaml": goodPolicy, "orders.yaml": ordersPolicy])
        // order.placed mutates 'cart', which shop does not invalidate on it: the only finding.
        #expect(result.diagnostics.map(\.code) == [.staleOnEvent], "\(result.diagnostics)")
    }

    @Test func unknownParamInPatternAndTag() {
        let result = compile(shop(replacing: "\"shop:cart:{userId}\"", with: "\"shop:cart:{usrId}\""))
        let finding = expectFinding(result, .unknownParam, line: 9, column: 25)
        #expect(finding?.hint == "did you mean 'userId'?")
        let tag = compile(shop(replacing: "    value: Cart", with: "    value: Cart\n    tags: [\"store:{storeId}\"]"))
        expectFinding(tag, .unknownParam, line: 11, column: 19)
    }

    @Test func unusedParam() {
        let result = compile(shop(replacing: "  userId: uuid\n", with: "  userId: uuid\n  storeId: int\n"))
        expectFinding(result, .unusedParam, line: 7, column: 3)
        #expect(result.program != nil, "a warning does not stop compilation")
    }

    @Test func unknownKeyFamily() {
        let result = compile(shop(replacing: "    - cart\n", with: "    - carts\n"))
        let finding = expectFinding(result, .unknownKeyFamily, line: 18, column: 7)
        #expect(finding?.hint == "did you mean 'cart'?")
    }

    @Test func keyFamilyOfAnotherServiceIsExplained() {
        let result = compile(["shop.yaml": shop(replacing: "    - cart\n", with: "    - cart\n    - order\n"), "orders.yaml": ordersPolicy])
        let finding = expectFinding(result, .unknownKeyFamily, line: 19, column: 7)
        #expect(finding?.hint?.contains("service 'orders'") == true)
    }

    @Test func unknownEventInInvalidateAndWarmup() {
        let result = compile(shop(replacing: "invalidate:\n  cart.changed:", with: "invalidate:\n  cart.chnged:"))
        let finding = expectFinding(result, .unknownEvent, line: 17, column: 3)
        #expect(finding?.hint == "did you mean 'cart.changed'?")
        let warmup = goodPolicy + "warmup:\n  carts:\n    keys: [cart]\n    source: carts\n    after: [cart.emptied]\n"
        expectFinding(compile(warmup), .unknownEvent, line: 23, column: 13)
    }

    @Test func unknownService() {
        let result = compile(["shop.yaml": shop(replacing: "    - cart\n", with: "    - cart\n    - ordrs.order\n"), "orders.yaml": ordersPolicy])
        let finding = expectFinding(result, .unknownService, line: 19, column: 7)
        #expect(finding?.hint == "did you mean 'orders'?")
    }

    @Test func crossServiceKey() {
        let result = compile(["shop.yaml": shop(replacing: "    - cart\n", with: "    - cart\n    - orders.order\n"), "orders.yaml": ordersPolicy])
        let finding = expectFinding(result, .crossServiceKey, line: 19, column: 7)
        #expect(finding?.hint?.contains("orders.yaml") == true)
        expectNoFinding(compile(shop(replacing: "    - cart\n", with: "    - shop.cart\n")), .crossServiceKey)
    }

    @Test func payloadMissingParamSuggestsBinding() {
        let policy = shop(replacing: "payload: { userId: uuid }", with: "payload: { id: uuid }")
        let result = compile(policy)
        let finding = expectFinding(result, .payloadMissingParam, line: 18, column: 7)
        #expect(finding?.hint == "bind it to a payload field: 'bind: { userId: id }'")
        let bound = compile(policy.replacingOccurrences(of: "    - cart\n", with: "    - { key: cart, bind: { userId: id } }\n"))
        #expect(bound.diagnostics.isEmpty, "\(bound.diagnostics)")
    }

    @Test func payloadMissingParamForTagsAndPatterns() {
        let policy = shop(replacing: "payload: { userId: uuid }", with: "payload: { other: int }")
            .replacingOccurrences(of: "    value: Cart", with: "    value: Cart\n    tags: [\"user:{userId}\"]")
            .replacingOccurrences(of: "    - cart\n", with: "    - tag: \"user:{userId}\"\n    - pattern: \"shop:cart:{userId}\"\n")
        let result = compile(policy)
        #expect(result.diagnostics.filter { $0.code == .payloadMissingParam }.map(\.location.line) == [19, 20])
    }

    @Test func duplicateService() {
        let result = compile(["a.yaml": goodPolicy, "b.yaml": goodPolicy.replacingOccurrences(of: "cart", with: "basket")])
        let finding = expectFinding(result, .duplicateService, line: 2, column: 10, file: "b.yaml")
        #expect(finding?.related.first?.location.file == "a.yaml")
    }

    @Test func duplicateEvent() {
        let orders = ordersPolicy.replacingOccurrences(of: "  order.placed:\n    payload", with: "  cart.changed:\n    payload: { userId: uuid }\n  order.placed:\n    payload")
        let result = compile(["shop.yaml": goodPolicy, "orders.yaml": orders])
        // Files are read in path order, so orders.yaml declares it first.
        expectFinding(result, .duplicateEvent, line: 13, column: 3, file: "shop.yaml")
    }

    @Test func duplicateKeyFamilyPattern() {
        let policy = shop(replacing: "events:", with: "  basket:\n    pattern: \"shop:cart:{userId}\"\n    value: Basket\nevents:")
        let finding = expectFinding(compile(policy), .duplicateKeyFamily, line: 13, column: 15)
        #expect(finding?.related.first?.location.line == 9)
    }

    @Test func bindTypeMismatch() {
        let policy = shop(replacing: "payload: { userId: uuid }", with: "payload: { userId: int }")
        expectFinding(compile(policy), .bindTypeMismatch, line: 18, column: 7)
        let explicit = shop(replacing: "payload: { userId: uuid }", with: "payload: { userId: uuid, n: int }")
            .replacingOccurrences(of: "    - cart\n", with: "    - { key: cart, bind: { userId: n } }\n")
        expectFinding(compile(explicit), .bindTypeMismatch, line: 18, column: 36)
    }

    @Test func invalidBindings() {
        let unknownParam = shop(replacing: "    - cart\n", with: "    - { key: cart, bind: { user: userId } }\n")
        let finding = expectFinding(compile(unknownParam), .invalidBinding, line: 18, column: 28)
        #expect(finding?.hint == "it uses: userId")
        let unknownField = shop(replacing: "    - cart\n", with: "    - { key: cart, bind: { userId: usrId } }\n")
        let fieldFinding = expectFinding(compile(unknownField), .invalidBinding, line: 18, column: 36)
        #expect(fieldFinding?.hint == "did you mean 'userId'?")
    }

    @Test func unmutatedEntity() {
        let result = compile(shop(replacing: "dependsOn: [cart]", with: "dependsOn: [crat]"))
        let finding = expectFinding(result, .unmutatedEntity, line: 11, column: 17)
        #expect(finding?.hint == "did you mean 'cart'?")
    }

    @Test func brokenDeclarationsDoNotCascade() {
        // The key family's pattern is malformed: its uses are not also reported as unknown.
        let result = compile(shop(replacing: "\"shop:cart:{userId}\"", with: "\"shop::{userId}\""))
        #expect(result.diagnostics.map(\.code) == [.invalidPattern], "\(result.diagnostics)")
    }
}
