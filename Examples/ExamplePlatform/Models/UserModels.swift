import Foundation

// Value types of the user service's key families (hand-written; the generated code caches them).

public struct Session: Codable, Sendable, Hashable {
    public var id: UUID
    public var userId: UUID
    public var device: String
    public var expiresAt: Date

    public init(id: UUID, userId: UUID, device: String, expiresAt: Date) {
        self.id = id
        self.userId = userId
        self.device = device
        self.expiresAt = expiresAt
    }
}

public struct UserProfile: Codable, Sendable, Hashable {
    public var id: UUID
    public var displayName: String
    public var email: String

    public init(id: UUID, displayName: String, email: String) {
        self.id = id
        self.displayName = displayName
        self.email = email
    }
}

public struct UserPreferences: Codable, Sendable, Hashable {
    public var locale: String
    public var autopay: Bool

    public init(locale: String, autopay: Bool) {
        self.locale = locale
        self.autopay = autopay
    }
}

public struct ActiveSessions: Codable, Sendable, Hashable {
    public var sessionIds: [UUID]

    public init(sessionIds: [UUID]) { self.sessionIds = sessionIds }
}
