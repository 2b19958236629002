import CacheRuntime
import ExamplePlatform
import Foundation

/// A stand-in for the platform's databases: `users` users with deterministic ids, read a page at
/// a time with a short pause per page, as a real query would take.
struct SampleData: Sendable {
    let users: Int
    let pageSize = 500
    let pagePause = Duration.milliseconds(2)

    func userID(_ index: Int) -> UUID { UUID(uuidString: "00000000-0000-4000-8000-" + String(format: "%012x", index))! }

    /// Calls `body` for every user index in `range`, pausing once per page.
    func eachUser(_ range: Range<Int>, _ body: (Int) async throws -> Void) async throws {
        for index in range {
            if index % pageSize == 0 { try await Task.sleep(for: pagePause) }
            try await body(index)
        }
    }
}

struct PaymentLoaders: PaymentCache.Loaders {
    let data: SampleData
    func recentPayments(_ warmup: PaymentCache.RecentPaymentsWarmup) async throws {
        try await data.eachUser(0..<data.users) { index in
            let payment = Payment(id: data.userID(index + 1_000_000), billId: data.userID(index + 2_000_000), amountCents: 1_000 + index % 5_000, paidAt: Date(timeIntervalSince1970: 1_790_000_000))
            try await warmup.recent(userId: data.userID(index), value: RecentPayments(payments: [payment]))
        }
    }
}

struct BillingLoaders: BillingCache.Loaders {
    let data: SampleData
    func dueBillsByUser(_ warmup: BillingCache.DueBillsWarmup) async throws {
        // Users with a bill due in the next week: every third one.
        try await data.eachUser(0..<data.users) { index in
            guard index % 3 == 0 else { return }
            try await warmup.userBills(userId: data.userID(index), value: UserBills(open: [data.userID(index + 3_000_000)], recent: []))
        }
    }
}

struct DocumentLoaders: DocumentCache.Loaders {
    let data: SampleData
    func recentlyActiveUserDocuments(_ warmup: DocumentCache.RecentDocumentsWarmup) async throws {
        try await data.eachUser(0..<(data.users / 2)) { index in
            try await warmup.userDocuments(userId: data.userID(index), value: UserDocuments(documentIds: [data.userID(index + 4_000_000)]))
        }
    }
}

struct NotificationLoaders: NotificationCache.Loaders {
    func publishedTemplates(_ warmup: NotificationCache.TemplatesWarmup) async throws {
        for name in ["bill-due", "payment-received", "payment-failed", "welcome"] {
            for channel in NotificationCache.Channel.allCases {
                try await warmup.template(templateId: name, channel: channel, value: "\(name) via \(channel.rawValue): Hello {{name}}")
            }
        }
    }
}

struct UserLoaders: UserCache.Loaders {
    let data: SampleData
    func activeUserProfiles(_ warmup: UserCache.ActiveProfilesWarmup) async throws {
        try await data.eachUser(0..<data.users) { index in
            let id = data.userID(index)
            try await warmup.profile(userId: id, value: UserProfile(id: id, displayName: "User \(index)", email: "user\(index)@example.com"))
        }
    }
}

struct UtilityLoaders: UtilityCache.Loaders {
    func utilityReferenceData(_ warmup: UtilityCache.ReferenceDataWarmup) async throws {
        for type in UtilityCache.UtilityType.allCases {
            let providers = (1...3).map { Provider(id: "\(type.rawValue)-\($0)", name: "\(type.rawValue.capitalized) Co \($0)") }
            try await warmup.providers(utilityType: type, value: ProviderList(providers: providers))
        }
        try await warmup.types(value: UtilityTypeList(types: UtilityCache.UtilityType.allCases.map(\.rawValue)))
    }
}

struct WebhookLoaders: WebhookCache.Loaders {
    let data: SampleData
    func activeWebhookConfigs(_ warmup: WebhookCache.WebhookConfigsWarmup) async throws {
        try await data.eachUser(0..<(data.users / 10)) { index in
            let id = data.userID(index + 5_000_000)
            let config = WebhookConfig(id: id, url: URL(string: "https://hooks.example.com/\(index)")!, events: ["payment.succeeded"])
            try await warmup.config(webhookId: id, userId: data.userID(index), value: config)
        }
    }
}

struct AnalyticsLoaders: AnalyticsCache.Loaders {
    func revenueAndGrowthReports(_ warmup: AnalyticsCache.RevenueRollupWarmup) async throws {
        for (index, period) in AnalyticsCache.Period.allCases.enumerated() {
            try await warmup.revenue(period: period, value: RevenueReport(totalCents: 1_000_000 * (index + 1)))
            try await warmup.growth(period: period, value: GrowthReport(newUsers: 100 * (index + 1), activeUsers: 1_000 * (index + 1)))
        }
    }
}

/// Every service's warmup jobs, bound to the sample loaders.
func platformWarmupTasks(_ data: SampleData) -> [WarmupTask] {
    PaymentCache.warmupTasks(PaymentLoaders(data: data)) + BillingCache.warmupTasks(BillingLoaders(data: data))
        + DocumentCache.warmupTasks(DocumentLoaders(data: data)) + NotificationCache.warmupTasks(NotificationLoaders())
        + UserCache.warmupTasks(UserLoaders(data: data)) + UtilityCache.warmupTasks(UtilityLoaders())
        + WebhookCache.warmupTasks(WebhookLoaders(data: data)) + AnalyticsCache.warmupTasks(AnalyticsLoaders())
}
