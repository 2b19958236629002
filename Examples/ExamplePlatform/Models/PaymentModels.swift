import Foundation

// Value types of the payment, billing and analytics services.

public struct Payment: Codable, Sendable, Hashable {
    public var id: UUID
    public var billId: UUID
    public var amountCents: Int
    public var paidAt: Date

    public init(id: UUID, billId: UUID, amountCents: Int, paidAt: Date) {
        self.id = id
        self.billId = billId
        self.amountCents = amountCents
        self.paidAt = paidAt
    }
}

public struct PaymentHistoryPage: Codable, Sendable, Hashable {
    public var page: Int
    public var payments: [Payment]

    public init(page: Int, payments: [Payment]) {
        self.page = page
        self.payments = payments
    }
}

public struct RecentPayments: Codable, Sendable, Hashable {
    public var payments: [Payment]

    public init(payments: [Payment]) { self.payments = payments }
}

public struct BillStatus: Codable, Sendable, Hashable {
    public enum State: String, Codable, Sendable { case due, paid, overdue }

    public var billId: UUID
    public var state: State

    public init(billId: UUID, state: State) {
        self.billId = billId
        self.state = state
    }
}

public struct UserBills: Codable, Sendable, Hashable {
    public var open: [UUID]
    public var recent: [UUID]

    public init(open: [UUID], recent: [UUID]) {
        self.open = open
        self.recent = recent
    }
}

public struct Dashboard: Codable, Sendable, Hashable {
    public var spentThisMonthCents: Int
    public var dueBills: Int

    public init(spentThisMonthCents: Int, dueBills: Int) {
        self.spentThisMonthCents = spentThisMonthCents
        self.dueBills = dueBills
    }
}

public struct RevenueReport: Codable, Sendable, Hashable {
    public var totalCents: Int

    public init(totalCents: Int) { self.totalCents = totalCents }
}

public struct GrowthReport: Codable, Sendable, Hashable {
    public var newUsers: Int
    public var activeUsers: Int

    public init(newUsers: Int, activeUsers: Int) {
        self.newUsers = newUsers
        self.activeUsers = activeUsers
    }
}
