import Testing
@testable import PolicyCompiler

/// `slot:` — the Redis Cluster hash tag of a family's keys, and the sets that follow it.
@Suite("slot: hash tags for Redis Cluster")
struct SlotTests {
    static let shop = """
        version: 1
        service: shop
        defaults:
          ttl: 10m
          codec: string
        params:
          userId: uuid
          page: int
          orderId: uuid
        keys:
          cart:
            pattern: "shop:cart:{userId}:{page}"
            slot: userId
            tags: ["user:{userId}"]
          wishes:
            pattern: "shop:wishes:{userId}"
            slot: userId
            tags: ["user:{userId}"]
          order:
            pattern: "shop:order:{orderId}"
            tags: ["buyer:{userId}"]
        events:
          user.left:
            payload: { userId: uuid }
        invalidate:
          user.left:
            - { tag: "user:{userId}" }
            - { pattern: "shop:cart:{userId}:*" }
            - { tag: "buyer:{userId}" }

        """

    static let cluster = """
        version: 1
        platform: shop
        environments:
          prod:
            redis: { cluster: { seeds: [redis://a:6379] } }

        """

    func swift(_ result: Compiler.Result) throws -> String {
        let program = try #require(result.program)
        let file = SwiftEmitter().emit(program).first { $0.name == "ShopCache.swift" }
        return try #require(file).contents
    }

    @Test func theSlotParamIsTheKeysHashTagAndItsSetsFollow() throws {
        let result = compile(Self.shop)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.message))")
        let code = try swift(result)
        #expect(code.contains(#"key: "shop:cart:{\(KeyEncoder.uuid(userId))}:\(KeyEncoder.int(page))""#))
        #expect(code.contains(#"Families.cart.tagKey("user:{\(KeyEncoder.uuid(userId))}")"#), "every carrier of user:{userId} is slotted by userId")
        #expect(code.contains(#"KeyFamilySpec.indexKey(service: "shop", "shop:cart:{\(KeyEncoder.uuid(userId))}:*")"#))
        #expect(code.contains(#"key: "shop:order:\(KeyEncoder.uuid(orderId))""#), "no slot, no braces")
        #expect(code.contains(#"tagKey("buyer:\(KeyEncoder.uuid(userId))")"#))
        // The event's plan renders the same names.
        #expect(code.contains(#"tags: [KeyFamilySpec.tagKey(service: "shop", "user:{\(KeyEncoder.uuid(event.userId))}")"#))
        #expect(code.contains(#"indexes: [KeyFamilySpec.indexKey(service: "shop", "shop:cart:{\(KeyEncoder.uuid(event.userId))}:*")]"#))
        let json = JSONEmitter.emit(try #require(result.program)).contents
        #expect(json.contains(#""slot": "userId""#) && json.contains(#""slot": null"#))
    }

    @Test func aTagWhoseCarriersDisagreeIsNotBraced() throws {
        let mixed = Self.shop.replacingOccurrences(of: "    pattern: \"shop:wishes:{userId}\"\n    slot: userId\n", with: "    pattern: \"shop:wishes:{userId}\"\n")
        let code = try swift(compile(mixed))
        #expect(code.contains(#"Families.cart.tagKey("user:\(KeyEncoder.uuid(userId))")"#))
        #expect(code.contains(#"Families.wishes.tagKey("user:\(KeyEncoder.uuid(userId))")"#))
    }

    @Test func theSlotMustBeAKeyParam() {
        let tagOnly = Self.shop.replacingOccurrences(of: "    pattern: \"shop:order:{orderId}\"\n", with: "    pattern: \"shop:order:{orderId}\"\n    slot: userId\n")
        let finding = expectFinding(compile(tagOnly), .invalidValue, line: 21, column: 11)
        #expect(finding?.hint?.contains("orderId") == true)
    }

    @Test func onAClusterEverySetMustShareItsEntrysSlot() {
        let clean = PolicyCompilerTests.compile(["shop.yaml": Self.shop.replacingOccurrences(of: "    tags: [\"buyer:{userId}\"]\n", with: "").replacingOccurrences(of: "    - { tag: \"buyer:{userId}\" }\n", with: ""), "platform.yaml": Self.cluster])
        #expect(clean.diagnostics.isEmpty, "\(clean.diagnostics.map(\.message))")
        let withBuyer = PolicyCompilerTests.compile(["shop.yaml": Self.shop, "platform.yaml": Self.cluster])
        let finding = expectFinding(withBuyer, .crossSlot, line: 21, column: 13)
        #expect(finding?.message.contains("'order'") == true && finding?.message.contains("prod") == true)
        #expect(finding?.hint?.contains("not in every carrier's key") == true)
        let unslotted = Self.shop.replacingOccurrences(of: "    slot: userId\n", with: "")
        let both = PolicyCompilerTests.compile(["shop.yaml": unslotted, "platform.yaml": Self.cluster])
        #expect(both.diagnostics.filter { $0.code == .crossSlot }.count == 4, "two tags of the user, the buyer tag and the index set")
        #expect(both.diagnostics.contains { $0.code == .crossSlot && $0.hint == "give 'cart' 'slot: userId'" })
        // Without a cluster environment nothing is reported: one server has no slots.
        #expect(compile(unslotted).diagnostics.isEmpty)
    }

    @Test func aScannedPatternCannotMatchTwoHashTagPlacements() {
        let conflict = Self.shop
            .replacingOccurrences(of: "  wishes:\n    pattern: \"shop:wishes:{userId}\"\n    slot: userId\n", with: "  wishes:\n    pattern: \"shop:cart:{userId}:{page}:w\"\n")
            .replacingOccurrences(of: "    - { pattern: \"shop:cart:{userId}:*\" }\n", with: "    - { pattern: \"shop:cart:{userId}:*\", scan: true }\n")
        let finding = expectFinding(compile(conflict), .hashTagConflict, line: 27, column: 19)
        #expect(finding?.message.contains("'cart'") == true && finding?.message.contains("'wishes'") == true)
        let covered = conflict.replacingOccurrences(of: "shop:cart:{userId}:*\", scan", with: "shop:cart:*\", scan")
        #expect(!compile(covered).diagnostics.contains { $0.code == .hashTagConflict }, "a '*' matches the braces too")
    }
}
