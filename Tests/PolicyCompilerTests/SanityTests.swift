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
