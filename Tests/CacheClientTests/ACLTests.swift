import CacheClient
@_spi(Generated) import CacheRuntime
import CachePolicyCLI
import ExamplePlatform
import Foundation
import NIOConcurrencyHelpers
import RESP
import RedisTestSupport
import TestSupport
import Testing

/// `cachepolicy acl` loaded into a real redis-server: each service works on its own keys and
/// events and gets NOPERM everywhere else.
@Suite("ACL file (real redis-server)", .hangLimit)
struct ACLTests {
    static func sha256(_ text: String) async throws -> String {
        let run = try await ChildProcess.run(["sha256sum"], input: text)
        #expect(run.status == 0, "\(run.errors)")
        return String(run.output.prefix(64))
    }

    /// The ACL file for the example platform, with passwords for payment and billing.
    static func aclFile(passwords: [String: String]) async throws -> (path: String, text: String) {
        let prefix = "ACLTEST_\(UUID().uuidString.replacingOccurrences(of: "-", with: ""))_"
        for (service, password) in passwords { setenv(prefix + service.uppercased(), try await sha256(password), 1) }
        let out = NIOLockedValueBox(""), err = NIOLockedValueBox("")
        let console = Console(out: { text in out.withLockedValue { $0 += text } }, error: { text in err.withLockedValue { $0 += text } })
        let code = CachePolicyCommand.run(["acl", "--password-hash-env-prefix", prefix, SwiftTypecheck.packageRoot + "/policies"], console: console)
        #expect(code == 0, "\(err.withLockedValue { $0 })")
        let text = out.withLockedValue { $0 }
        let path = NSTemporaryDirectory() + "cachepolicy-acl-\(UUID().uuidString).acl"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return (path, text)
    }

    func client(_ server: RedisServer, _ user: String, _ password: String) -> RedisClient {
        var configuration = server.configuration
        configuration.username = user
        configuration.password = password
        return RedisClient(configuration)
    }

    func expectNoPermission(_ body: () async throws -> Void, _ what: String) async {
        do {
            try await body()
            Issue.record("\(what) was allowed")
        } catch let error as RedisError {
            #expect(error.code == "NOPERM", "\(what): \(error)")
        } catch {
            Issue.record("\(what): \(error)")
        }
    }

    @Test func eachServiceReachesOnlyItsOwnKeysAndEvents() async throws {
        let passwords = ["payment": "pay-\(UUID())", "billing": "bill-\(UUID())"]
        let (path, text) = try await Self.aclFile(passwords: passwords)
        defer { try? FileManager.default.removeItem(atPath: path) }
        for password in passwords.values { #expect(!text.contains(password), "no password in clear") }
        try await withRedisServer(["--aclfile", path]) { server in
            let paymentRedis = client(server, "cachepolicy-payment", passwords["payment"]!)
            let payment = CacheClient(redis: paymentRedis)
            // Its own families, tags, index sets, leases, events.
            let recent = PaymentCache.recent(userId: alice), history = PaymentCache.history(userId: alice, page: 1)
            try await payment.set(recent, RecentPayments(payments: []))
            try await payment.set(history, PaymentHistoryPage(page: 1, payments: []))
            #expect(try await payment.get(history) == PaymentHistoryPage(page: 1, payments: []))
            _ = try await payment.fetch(PaymentCache.recent(userId: bob)) { RecentPayments(payments: []) }
            let event = PaymentSucceeded(paymentId: UUID(), userId: alice, billId: bill, amountCents: 1)
            let (applied, _) = try await payment.publish(event, applyingPlanOf: PaymentCache.self)
            #expect(applied?.keys == 1 && applied?.indexMembers == 1, "the recent entry by key, the history page through its index set")
            // Its listener reads its streams with its consumer group.
            let listener = PaymentCache.listener(cache: payment, settings: .init(block: .milliseconds(50)))
            let listening = Task { await listener.run() }
            var consumed = false
            for await activity in listener.activity {
                if case .applied(let name, _, _) = activity, name == "payment.succeeded" { consumed = true; break }
                if case .disconnected(let reason) = activity { Issue.record("\(reason)"); break }
            }
            listening.cancel()
            await listening.value
            #expect(consumed)
            // Nothing else.
            await expectNoPermission({ _ = try await payment.get(UserCache.profile(userId: alice)) }, "another service's key")
            await expectNoPermission({ try await paymentRedis.send(RESPCommand("FLUSHALL")) }, "FLUSHALL")
            await expectNoPermission({ try await paymentRedis.send(RESPCommand("KEYS", "*")) }, "KEYS")
            await expectNoPermission({ try await paymentRedis.send(RESPCommand("CONFIG", "GET", "maxmemory")) }, "CONFIG")
            await expectNoPermission({ try await paymentRedis.send(RESPCommand("XRANGE", EventBus.stream(for: "webhook.delivered"), "-", "+")) }, "another service's stream")
            await expectNoPermission({ try await paymentRedis.send(RESPCommand("PUBLISH", EventBus.channel(for: "webhook.delivered"), "x")) }, "another service's channel")
            await expectNoPermission({ try await paymentRedis.send(RESPCommand("SET", "#tag:billing:user:x", "1")) }, "another service's tag set")
            // Billing works on its keys and not on payment's.
            let billingRedis = client(server, "cachepolicy-billing", passwords["billing"]!)
            let billing = CacheClient(redis: billingRedis)
            try await billing.set(BillingCache.userBills(userId: alice), UserBills(open: [], recent: []))
            await expectNoPermission({ _ = try await billing.get(recent) }, "payment's key from billing")
            // A user without a password hash cannot log in at all.
            var noPassword = server.configuration
            noPassword.username = "cachepolicy-user"
            noPassword.password = "anything"
            await #expect(throws: (any Error).self) { _ = try await RedisConnection.connect(noPassword) }
            await paymentRedis.shutdown()
            await billingRedis.shutdown()
        }
    }
}
