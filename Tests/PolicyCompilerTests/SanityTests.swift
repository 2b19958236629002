import Testing
@testable import PolicyCompiler

@Suite("Sanity rules (CP6xx)")
struct SanityTests {
    let warmup = goodPolicy + "warmup:\n  carts:\n    keys: [cart]\n    source: carts\n"

    @Test func zeroTTL() {
        expectFinding(compile(shop(replacing: "ttl: 10m", with: "ttl: 0s")), .ttlZero, line: 4, column: 8)
    }

    @Test func absurdTTL() {
        let finding = expectFinding(compile(shop(replacing: "ttl: 10m", with: "ttl: 90d")), .ttlAbsurd, line: 4, column: 8)
        #expect(finding?.severity == .warning)
        expectNoFinding(compile(shop(replacing: "ttl: 10m", with: "ttl: 30d")), .ttlAbsurd)
    }

    @Test func warmupLessOftenThanTTL() {
        let finding = expectFinding(compile(warmup + "    every: 1h\n"), .warmupOutlivesTTL, line: 23, column: 12)
        #expect(finding?.message.contains("'cart' expires after 10m") == true)
        expectNoFinding(compile(warmup + "    every: 10m\n"), .warmupOutlivesTTL)
    }

    @Test func thresholdsOutOfRange() {
        let alerts = goodPolicy + "alerts:\n  hitRate: { below: 170% }\n  memory: { above: 100% }\n  errorRate: { above: 101% }\n"
        let found = compile(alerts).diagnostics.filter { $0.code == .thresholdOutOfRange }
        #expect(found.map(\.location.line) == [20, 22])
        #expect(found.map(\.location.column) == [21, 23])
    }

    /// `for:` on an alert is a duration, decoded with its location, defaulting to 5m, and
    /// generated into `AlertThresholds.holdFor`; anything else there is located.
    @Test func alertHoldDurations() throws {
        let alerts = goodPolicy + "alerts:\n  hitRate: { below: 70%, for: 10m }\n  errorRate: { above: 5% }\n"
        let result = compile(alerts)
        #expect(!result.diagnostics.contains { $0.severity == .error }, "\(result.diagnostics)")
        let service = try #require(result.program?.services.first)
        #expect(service.alerts.holdFor("hitRate") == .minutes(10) && service.alerts.holdFor["hitRate"]?.location.line == 20)
        #expect(service.alerts.holdFor("errorRate") == .minutes(5))
        let swift = SwiftEmitter().emit(try #require(result.program)).first { $0.name == "ShopCache.swift" }!.contents
        #expect(swift.contains("AlertThresholds(hitRateBelow: 0.7, errorRateAbove: 0.05, holdFor: [.hitRate: .seconds(600)])"))
        let json = JSONEmitter.emit(try #require(result.program)).contents
        #expect(json.contains("\"forMs\": {"), "\(json)")
        #expect(json.contains("600000") && json.contains("300000"))
        expectFinding(compile(goodPolicy + "alerts:\n  hitRate: { below: 70%, for: soon }\n"), .invalidDuration, line: 20, column: 31)
        expectFinding(compile(goodPolicy + "alerts:\n  hitRate: { below: 70%, fro: 1m }\n"), .unknownField, line: 20, column: 26)
    }

    @Test func jitterOver50Percent() {
        expectFinding(compile(shop(replacing: "ttl: 10m", with: "ttl: 10m\n  jitter: 60%")), .jitterTooLarge, line: 5, column: 11)
        expectNoFinding(compile(shop(replacing: "ttl: 10m", with: "ttl: 10m\n  jitter: 50%")), .jitterTooLarge)
    }

    @Test func backoffAboveMax() {
        let policy = warmup + "    retry: { attempts: 3, backoff: 10s, max: 1s }\n"
        expectFinding(compile(policy), .backoffAboveMax, line: 23, column: 36)
    }

    @Test func compressingIntegers() {
        let policy = shop(replacing: "    value: Cart", with: "    codec: int\n    compress: { over: 1KB }")
        expectFinding(compile(policy), .compressionIneffective, line: 11, column: 15)
    }
}
