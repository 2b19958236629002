import CacheAudit
import CacheClient
import CachePolicyAudit
import CachePolicyCLI
import ExamplePlatform
import Foundation
import NIOConcurrencyHelpers
import RESP
import RedisTestSupport
import TestSupport
import Testing

/// Runs `cachepolicy-audit` in-process and captures its output.
final class AuditRun: Sendable {
    let stdout = NIOLockedValueBox("")
    let stderr = NIOLockedValueBox("")

    func run(_ arguments: [String]) async -> Int32 {
        let console = Console(out: { text in self.stdout.withLockedValue { $0 += text } }, error: { text in self.stderr.withLockedValue { $0 += text + "\n" } })
        return await AuditCommand.run(arguments, console: console)
    }

    var out: String { stdout.withLockedValue { $0 } }
    var err: String { stderr.withLockedValue { $0 } }

    func report() throws -> AuditReport { try JSONDecoder().decode(AuditReport.self, from: Data(out.utf8)) }
}

let policies = SwiftTypecheck.packageRoot + "/policies"

/// The audit on a seeded redis-server with planted orphans, keys without a TTL, an oversized
/// value and leftover leases: exact counts.
@Suite("Keyspace audit (real redis-server)", .hangLimit)
struct KeyspaceAuditTests {
    static let users = (0..<10).map { UUID(uuidString: "00000000-0000-4000-8000-" + String(format: "%012x", $0))! }

    /// Seeds the example platform's keys through the runtime, plus planted problems.
    func seed(_ server: RedisServer) async throws {
        let redis = RedisClient(server.configuration)
        let cache = CacheClient(redis: redis)
        for user in Self.users { try await cache.set(PaymentCache.recent(userId: user), RecentPayments(payments: [])) }
        for user in Self.users.prefix(4) { try await cache.set(PaymentCache.history(userId: user, page: 1), PaymentHistoryPage(page: 1, payments: [])) }
        for _ in 0..<3 { try await redis.send(RESPCommand("SET", "payment:recent:\(UUID())", "{\"payments\":[]}")) }  // no TTL
        for index in 0..<5 {
            if index < 3 { try await redis.send(RESPCommand("SET", "legacy:user:\(index)", "x", "EX", "600")) } else { try await redis.send(RESPCommand("SET", "legacy:user:\(index)", "x")) }
        }
        try await redis.send(RESPCommand("SET", PaymentCache.history(userId: Self.users[9], page: 2).key, String(repeating: "y", count: 200_000), "EX", "900"))
        try await redis.send(RESPCommand("SET", "#lease:" + PaymentCache.recent(userId: Self.users[0]).key, "token", "PX", "30000"))
        try await redis.send(RESPCommand("SET", "#lease:" + PaymentCache.recent(userId: Self.users[1]).key, "token"))
        try await redis.send(RESPCommand("SET", "#warmup:payment:recent-payments", "token", "PX", "30000"))
        _ = try await cache.publish(PaymentSucceeded(paymentId: UUID(), userId: Self.users[0], billId: Self.users[0], amountCents: 1))
        await redis.shutdown()
    }

    @Test func countsEveryKindOfKeyExactly() async throws {
        try await withRedisServer { server in
            try await seed(server)
            let run = AuditRun()
            let code = await run.run(["--redis", "redis://127.0.0.1:\(server.port)", "--format", "json", "--sample", "1", "--rate", "0", policies])
            #expect(code == 0, "\(run.err)")
            let report = try run.report()
            let admin = RedisClient(server.configuration)
            let size = Int(try await admin.send(RESPCommand("DBSIZE")).int ?? 0)
            #expect(report.complete && report.scanned == size && report.databaseSize == size)
            let payment = try #require(report.services.first { $0.name == "payment" })
            let recent = try #require(payment.families.first { $0.name == "recent" })
            let history = try #require(payment.families.first { $0.name == "history" })
            #expect(recent.keys == 13 && recent.withoutTTL == 3 && recent.ttl.none == 3 && recent.ttl.underTenMinutes == 10)
            #expect(history.keys == 5 && history.withoutTTL == 0)
            #expect(payment.tagSets.count == 4 && payment.tagSets.members == 4 && payment.indexSets.count == 4 && payment.indexSets.members == 4)
            #expect(payment.leases == 2 && payment.leasesWithoutTTL == 1 && payment.warmupLocks == 1)
            #expect(report.orphans.keys == 5 && report.orphans.withoutTTL == 2 && report.orphans.byPrefix == nil)
            #expect(report.eventStreams == 1)
            // Every key measured: the estimate is the sum, with no margin.
            #expect(history.memory.sampledKeys == 5 && history.memory.marginBytes == 0 && history.memory.estimatedBytes == history.memory.sampledBytes)
            #expect(history.memory.estimatedBytes > 200_000)
            let largest = try #require(report.largest.first)
            #expect(largest.owner == "payment.history" && largest.bytes > 200_000 && largest.key == nil)
            // Other services' families are listed, empty.
            #expect(report.services.count == 8 && report.services.first { $0.name == "user" }?.families.allSatisfy { $0.keys == 0 } == true)
            // No key name without --show-keys.
            #expect(!run.out.contains("legacy") && !run.out.contains(Self.users[0].uuidString.lowercased()))
            await admin.shutdown()
        }
    }

    @Test func keyNamesOnlyWithShowKeysAndStrictFailsOnProblems() async throws {
        try await withRedisServer { server in
            try await seed(server)
            let run = AuditRun()
            #expect(await run.run(["--redis", "redis://127.0.0.1:\(server.port)", "--format", "json", "--sample", "1", "--rate", "0", "--show-keys", "--strict", policies]) == 1)
            let report = try run.report()
            #expect(report.orphans.byPrefix == ["legacy": 5])
            #expect(report.largest.first?.key == PaymentCache.history(userId: Self.users[9], page: 2).key)
            let text = AuditRun()
            #expect(await text.run(["--redis", "redis://127.0.0.1:\(server.port)", "--rate", "0", policies]) == 0)
            #expect(text.out.contains("orphans (keys no family declares): 5, 2 without TTL"), "\(text.out)")
            #expect(text.out.contains("(their prefixes are shown with --show-keys)"))
            #expect(!text.out.contains("legacy"))
        }
    }

    /// A run limited by --max-keys gives a cursor; resuming from it covers the rest exactly once.
    @Test func resumesFromACursor() async throws {
        try await withRedisServer { server in
            try await seed(server)
            let first = AuditRun()
            #expect(await first.run(["--redis", "redis://127.0.0.1:\(server.port)", "--format", "json", "--rate", "0", "--page-size", "5", "--max-keys", "10", policies]) == 0)
            let part = try first.report()
            #expect(!part.complete && part.scanned >= 10 && part.scanned < part.databaseSize)
            var scanned = part.scanned
            var cursor = part.cursor
            while cursor != "0" {
                let next = AuditRun()
                #expect(await next.run(["--redis", "redis://127.0.0.1:\(server.port)", "--format", "json", "--rate", "0", "--page-size", "5", "--max-keys", "10", "--cursor", cursor, policies]) == 0)
                let report = try next.report()
                scanned += report.scanned
                cursor = report.cursor
            }
            #expect(scanned == part.databaseSize)
        }
    }

    /// `--rate` paces the scan: 60 keys at 200 keys/s take at least 0.25 s.
    @Test func theRateLimitPacesTheScan() async throws {
        try await withRedisServer { server in
            try await seed(server)
            let run = AuditRun()
            let started = ContinuousClock.now
            #expect(await run.run(["--redis", "redis://127.0.0.1:\(server.port)", "--format", "json", "--rate", "200", "--page-size", "10", policies]) == 0)
            let report = try run.report()
            let lower = Double(report.scanned - 10) / 200
            #expect(ContinuousClock.now - started >= .seconds(lower), "paced to 200 keys/s")
        }
    }

    @Test func unreachableRedisIsAnErrorWithoutTheCredentials() async throws {
        let run = AuditRun()
        #expect(await run.run(["--redis", "redis://auditor:s3cret@127.0.0.1:1", "--rate", "0", policies]) == 2)
        #expect(run.err.contains("cannot audit 127.0.0.1:1") && !run.err.contains("s3cret"), "\(run.err)")
        let bad = AuditRun()
        #expect(await bad.run(["--redis", "redis://127.0.0.1:1", "--sample", "2", policies]) == 2)
        #expect(bad.err.contains("--sample must be between 0 and 1"))
    }

    /// Classification against the families' patterns, without a server.
    @Test func keysAreClassifiedByPattern() {
        let classifier = KeyClassifier([
            AuditFamily(service: "payment", name: "history", pattern: "payment:history:{userId}:{page}", ttlMilliseconds: 1),
            AuditFamily(service: "user", name: "session", pattern: "{tenant}:session:{id}:v2", ttlMilliseconds: 1),
        ])
        #expect(classifier.classify("payment:history:abc:1") == .entry(AuditFamily(service: "payment", name: "history", pattern: "payment:history:{userId}:{page}", ttlMilliseconds: 1)))
        #expect(classifier.family(of: "acme:session:42:v2")?.name == "session")
        #expect(classifier.classify("acme:session:42:v1") == .orphan)
        #expect(classifier.classify("payment:history:abc") == .orphan)
        #expect(classifier.classify("#tag:payment:user:abc") == .tagSet(service: "payment"))
        #expect(classifier.classify("#idx:payment:payment:history:abc:*") == .indexSet(service: "payment"))
        #expect(classifier.classify("#lease:payment:history:abc:1") == .lease(classifier.family(of: "payment:history:abc:1")))
        // On a cluster a key without a hash tag has its lease (and lifetime) at `#lease:{key}`.
        #expect(classifier.classify("#lease:{payment:history:abc:1}") == .lease(classifier.family(of: "payment:history:abc:1")))
        #expect(classifier.classify("#life:{payment:history:abc:1}") == .lifetime(classifier.family(of: "payment:history:abc:1")))
        #expect(classifier.classify("#other") == .orphan)
        #expect(classifier.classify("cachepolicy:v1:stream:payment.succeeded") == .eventStream)
    }
}
