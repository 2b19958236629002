import Testing
@testable import PolicyCompiler

/// `sliding: true` (idle timeout) and `maxAge:` (absolute lifetime): checked and generated.
@Suite("Sliding expiry")
struct SlidingExpiryTests {
    func sliding(_ fields: String) -> String {
        shop(replacing: "    dependsOn: [cart]\n", with: "    dependsOn: [cart]\n" + fields)
    }

    @Test func slidingFamiliesAreGenerated() throws {
        let result = compile(sliding("    sliding: true\n    maxAge: 12h\n"))
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.message))")
        let family = try #require(result.program?.services.first?.keys.first)
        #expect(family.sliding && family.maxAge == .hours(12))
        let swift = SwiftEmitter().emit(try #require(result.program)).first { $0.name == "ShopCache.swift" }!.contents
        #expect(swift.contains("            sliding: true,\n            maxAge: .seconds(43200)\n"))
        #expect(swift.contains("sliding: reads renew the TTL, for at most 12h after a write"))
        let json = JSONEmitter.emit(try #require(result.program)).contents
        #expect(json.contains("\"sliding\": true") && json.contains("\"maxAgeMs\": 43200000"))
        // Without maxAge: no lifetime.
        let plain = compile(sliding("    sliding: true\n"))
        let swiftPlain = SwiftEmitter().emit(try #require(plain.program)).first { $0.name == "ShopCache.swift" }!.contents
        #expect(swiftPlain.contains("            sliding: true,\n            maxAge: nil\n"))
    }

    @Test func maxAgeNeedsSlidingAndAtLeastTheTTL() {
        let withoutSliding = compile(sliding("    maxAge: 1h\n"))
        #expect(withoutSliding.diagnostics.contains { $0.code == .invalidValue && $0.message.contains("not 'sliding'") && $0.location.line == 12 })
        let tooShort = compile(sliding("    sliding: true\n    maxAge: 5m\n"))
        #expect(tooShort.diagnostics.contains { $0.code == .invalidValue && $0.message.contains("shorter than its TTL 10m") })
    }

    @Test func slidingRejectsANearCacheAndAZeroTTL() {
        let near = compile(sliding("    sliding: true\n    nearCache: { entries: 100 }\n"))
        #expect(near.diagnostics.contains { $0.code == .invalidValue && $0.message.contains("near-cache hits never reach Redis") })
        let zero = compile(sliding("    sliding: true\n    ttl: 0s\n"))
        #expect(zero.diagnostics.contains { $0.code == .invalidValue && $0.message.contains("the TTL is zero") })
    }
}

@Suite("Early refresh in the language")
struct EarlyRefreshLanguageTests {
    @Test func refreshAheadIsCheckedAndGenerated() throws {
        let policy = shop(replacing: "    dependsOn: [cart]\n", with: "    dependsOn: [cart]\n    refresh: { ahead: 20% }\n")
        let result = compile(policy)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.message))")
        #expect(result.program?.services.first?.keys.first?.refreshAhead == Percent(20))
        let swift = SwiftEmitter().emit(try #require(result.program)).first { $0.name == "ShopCache.swift" }!.contents
        #expect(swift.contains("            refreshAhead: 0.2\n"))
        #expect(swift.contains("refreshed early in the last 20% of its TTL"))
        for bad in ["0%", "100%"] {
            let out = compile(shop(replacing: "    dependsOn: [cart]\n", with: "    dependsOn: [cart]\n    refresh: { ahead: \(bad) }\n"))
            #expect(out.diagnostics.contains { $0.code == .invalidValue && $0.message.contains("'refresh.ahead'") }, "\(bad)")
        }
        let unknown = compile(shop(replacing: "    dependsOn: [cart]\n", with: "    dependsOn: [cart]\n    refresh: { behind: 20% }\n"))
        #expect(unknown.diagnostics.contains { $0.code == .unknownField })
    }
}

@Suite("readFrom: replica")
struct ReadFromTests {
    @Test func aFamilyMayReadFromAReplica() throws {
        let policy = goodPolicy.replacingOccurrences(of: "    value: Cart\n", with: "    value: Cart\n    readFrom: replica\n")
        let result = compile(policy)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.message))")
        let family = try #require(result.program?.services.first?.keys.first)
        #expect(family.readFromReplica)
        let swift = SwiftEmitter().emit(try #require(result.program)).first { $0.name == "ShopCache.swift" }?.contents ?? ""
        #expect(swift.contains("readFromReplica: true"))
        #expect(JSONEmitter.emit(try #require(result.program)).contents.contains(#""readFrom": "replica""#))
        let primary = compile(goodPolicy)
        #expect(primary.program?.services.first?.keys.first?.readFromReplica == false)
    }

    @Test func aSlidingFamilyCannotReadFromAReplica() {
        let policy = goodPolicy.replacingOccurrences(of: "    value: Cart\n", with: "    value: Cart\n    sliding: true\n    readFrom: replica\n")
        let finding = expectFinding(compile(policy), .invalidValue, line: 12, column: 15)
        #expect(finding?.message.contains("replica") == true)
        let typo = goodPolicy.replacingOccurrences(of: "    value: Cart\n", with: "    value: Cart\n    readFrom: replicas\n")
        #expect(compile(typo).diagnostics.contains { $0.code == .invalidValue && $0.message.contains("replicas") })
    }
}
