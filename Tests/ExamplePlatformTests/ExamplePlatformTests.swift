import CacheRuntime
import ExamplePlatform
import Foundation
import Testing

let alice = UUID(uuidString: "3F2B8C1E-9A4D-4E2B-8F1A-0C6D5E4B3A21")!
let aliceKey = "3f2b8c1e-9a4d-4e2b-8f1a-0c6d5e4b3a21"
let bill = UUID(uuidString: "00000000-0000-4000-8000-0000000000B1")!
let billKey = "00000000-0000-4000-8000-0000000000b1"

/// The generated API of the example platform (generated/ from policies/), as a service would use it.
@Suite("Generated example platform")
struct GeneratedKeysTests {
    @Test func keysRenderAsThePatternsSay() {
        let history = PaymentCache.history(userId: alice, page: 2)
        #expect(history.key == "payment:history:{\(aliceKey)}:2", "slot: userId makes the user the hash tag")
        // Its tag, and the index set of `payment:history:{userId}:*` (invalidated on payment events).
        #expect(history.tags == ["#tag:payment:user:{\(aliceKey)}", "#idx:payment:payment:history:{\(aliceKey)}:*"])
        #expect(history.family.ttl == .seconds(900))
        #expect(history.family.jitter == 0.1)
        #expect(history.family.compression == .over(bytes: 1024))
        #expect(BillingCache.status(billId: bill, userId: alice).key == "billing:bill:\(billKey):status")
        #expect(UtilityCache.types().key == "utility:types")
        #expect(AnalyticsCache.revenue(period: .quarter).key == "analytics:revenue:quarter")
        #expect(NotificationCache.template(templateId: "welcome", channel: .sms).key == "notification:template:welcome:sms")
    }

    @Test func hostileStringValuesAreEncoded() {
        #expect(UtilityCache.provider(providerId: "con-ed").key == "utility:provider:con-ed")
        #expect(UtilityCache.provider(providerId: "a:b*c").key == "utility:provider:a%3Ab%2Ac")
        #expect(UtilityCache.provider(providerId: "").key == "utility:provider:")
        #expect(NotificationCache.template(templateId: "x:y", channel: .email).key == "notification:template:x%3Ay:email")
    }

    @Test func tagOnlyParamsAreNeededToWriteNotToRead() {
        let read: ReadOnlyCacheKey<Session> = UserCache.session(sessionId: bill)
        let write: CacheKey<Session> = UserCache.session(sessionId: bill, userId: alice)
        #expect(read.key == write.key)
        #expect(write.tags == ["#tag:user:user:\(aliceKey)"])
        #expect(write.readOnly == read)
    }

    @Test func familiesMatchTheYAML() {
        let expected: [(KeyFamilySpec, Duration)] = [
            (UserCache.Families.session, .seconds(600)), (UserCache.Families.profile, .seconds(3600)),
            (UserCache.Families.preferences, .seconds(3600)), (UserCache.Families.activeSessions, .seconds(300)),
            (PaymentCache.Families.history, .seconds(900)), (PaymentCache.Families.recent, .seconds(300)),
            (BillingCache.Families.status, .seconds(600)), (BillingCache.Families.userBills, .seconds(1800)),
            (WebhookCache.Families.config, .seconds(3600)), (WebhookCache.Families.userWebhooks, .seconds(1800)),
            (WebhookCache.Families.eventPage, .seconds(600)), (AnalyticsCache.Families.dashboard, .seconds(1800)),
            (AnalyticsCache.Families.revenue, .seconds(3600)), (AnalyticsCache.Families.growth, .seconds(3600)),
            (UtilityCache.Families.providers, .seconds(86400)), (UtilityCache.Families.types, .seconds(86400)),
            (NotificationCache.Families.preferences, .seconds(3600)), (NotificationCache.Families.template, .seconds(3600)),
            (DocumentCache.Families.metadata, .seconds(7200)), (DocumentCache.Families.userDocuments, .seconds(7200)),
        ]
        for (family, ttl) in expected { #expect(family.ttl == ttl, "\(family)") }
        #expect(NotificationCache.Families.template.codec == .string)
        #expect(AnalyticsCache.Families.dashboard.compression == .over(bytes: 4096), "inherited from defaults")
        #expect(AnalyticsCache.Families.dashboard.jitter == 0.15)
    }

    @Test func servicePoliciesCarryAlertsAndBudgets() {
        let policies = [
            UserCache.policy, PaymentCache.policy, BillingCache.policy, NotificationCache.policy, DocumentCache.policy,
            UtilityCache.policy, AnalyticsCache.policy, WebhookCache.policy,
        ]
        for policy in policies where policy.name != "payment" {
            #expect(policy.alerts == AlertThresholds(hitRateBelow: 0.7, memoryAbove: 0.8, latencyAbove: .seconds(1), errorRateAbove: 0.05))
        }
        #expect(PaymentCache.policy.alerts == AlertThresholds(
            hitRateBelow: 0.7, memoryAbove: 0.8, latencyAbove: .seconds(1), errorRateAbove: 0.05, holdFor: [.errorRate: .seconds(60)]))
        #expect(PaymentCache.policy.alerts.holdDuration(.errorRate) == .seconds(60))
        #expect(PaymentCache.policy.alerts.holdDuration(.hitRate) == .seconds(300))
        #expect(PaymentCache.policy.memoryBudget == 64 * 1024 * 1024)
        #expect(PaymentCache.policy.reactsTo == ["payment.failed", "payment.succeeded", "user.deleted"])
        #expect(PaymentCache.policy.families.map(\.name) == ["history", "recent"])
    }
}

@Suite("Generated invalidation plans")
struct GeneratedPlanTests {
    let succeeded = PaymentSucceeded(paymentId: UUID(), userId: alice, billId: bill, amountCents: 4200)

    @Test func paymentSucceededReachesEveryServiceThatReacts() throws {
        #expect(PaymentSucceeded.consumers == ["analytics", "billing", "payment"])
        #expect(CacheEvents.consumers["payment.succeeded"] == PaymentSucceeded.consumers)
        let payment = PaymentCache.plan(for: succeeded)
        #expect(payment.keys == ["payment:recent:\(aliceKey)"])
        #expect(payment.tags.isEmpty)
        #expect(payment.indexes == ["#idx:payment:payment:history:{\(aliceKey)}:*"])
        #expect(payment.patterns.isEmpty, "no SCAN")
        let billing = BillingCache.plan(for: succeeded)
        #expect(billing.keys == ["billing:bill:\(billKey):status", "billing:user:\(aliceKey):bills"])
        let analytics = AnalyticsCache.plan(for: succeeded)
        #expect(analytics.keys == ["analytics:dashboard:\(aliceKey)"])
        #expect(analytics.indexes == ["#idx:analytics:analytics:revenue:*"])
        #expect(analytics.patterns.isEmpty)
        for plan in [payment, billing, analytics] { #expect(plan.event == "payment.succeeded") }
    }

    @Test func boundFieldsFillDifferentlyNamedParams() {
        let deleted = UserDeleted(id: alice)
        #expect(PaymentCache.plan(for: deleted).keys == ["payment:recent:\(aliceKey)"])
        #expect(PaymentCache.plan(for: deleted).tags == ["#tag:payment:user:{\(aliceKey)}"])
        #expect(UserCache.plan(for: deleted).tags == ["#tag:user:user:\(aliceKey)"])
        #expect(Set(UserDeleted.consumers) == ["analytics", "billing", "document", "notification", "payment", "user", "webhook"])
    }

    @Test func enumAndStringPayloadFields() {
        let updated = ProviderUpdated(providerId: "con ed*", utilityType: .gas)
        #expect(UtilityCache.plan(for: updated).keys == ["utility:provider:con%20ed%2A", "utility:providers:gas"])
    }

    @Test func dispatchByNameMatchesTypedPlans() throws {
        let payload = try JSONEncoder().encode(succeeded)
        #expect(try BillingCache.plan(forEvent: "payment.succeeded", payload: payload) == BillingCache.plan(for: succeeded))
        #expect(try UtilityCache.plan(forEvent: "payment.succeeded", payload: payload) == nil)
        #expect(throws: DecodingError.self) { try BillingCache.plan(forEvent: "payment.succeeded", payload: Data("{}".utf8)) }
    }

    @Test func everyEventIsListed() {
        #expect(CacheEvents.all.count == CacheEvents.consumers.count)
        #expect(CacheEvents.all.map { $0.name }.sorted() == CacheEvents.consumers.keys.sorted())
    }
}

/// A test double for the application's loaders (not of Redis): it returns fixed values.
struct FixedLoaders: PaymentCache.Loaders {
    func recentPayments(_ warmup: PaymentCache.RecentPaymentsWarmup) async throws {
        try await warmup.recent(userId: alice, value: RecentPayments(payments: []))
    }
}

@Suite("Generated warmup jobs")
struct GeneratedWarmupTests {
    @Test func specsMatchTheYAML() {
        let job = PaymentCache.Jobs.recentPayments
        #expect(job.name == "recent-payments" && job.service == "payment" && job.families == ["recent"])
        #expect(job.source == "recentPayments" && job.priority == .high && job.every == .seconds(300))
        #expect(job.batch == 100 && job.concurrency == 5)
        #expect(job.retry == RetryPolicy(attempts: 3, backoff: .milliseconds(500), max: .seconds(10)))
        let reference = UtilityCache.Jobs.referenceData
        #expect(reference.after == ["provider.updated"] && reference.every == .seconds(43_200))
        #expect(WebhookCache.Jobs.webhookConfigs.retry == RetryPolicy(attempts: 3, backoff: .milliseconds(500), max: .seconds(30)))
        let priorities = Set([UserCache.policy, PaymentCache.policy, BillingCache.policy, AnalyticsCache.policy].flatMap(\.warmupJobs).map(\.priority))
        #expect(priorities == [.high, .medium, .low])
    }

    @Test func tasksRunTheLoadersAndEncodeEntries() async throws {
        let tasks = PaymentCache.warmupTasks(FixedLoaders())
        #expect(tasks.map(\.spec) == [PaymentCache.Jobs.recentPayments])
        let entries = try await tasks[0].collect()
        #expect(entries.map(\.key) == ["payment:recent:\(aliceKey)"])
        #expect(try PaymentCache.recent(userId: alice).decode(entries[0].value) == RecentPayments(payments: []))
    }
}
