import Foundation

// Value types of the webhook, utility, notification and document services.

public struct WebhookConfig: Codable, Sendable, Hashable {
    public var id: UUID
    public var url: URL
    public var events: [String]

    public init(id: UUID, url: URL, events: [String]) {
        self.id = id
        self.url = url
        self.events = events
    }
}

public struct UserWebhooks: Codable, Sendable, Hashable {
    public var webhookIds: [UUID]

    public init(webhookIds: [UUID]) { self.webhookIds = webhookIds }
}

public struct WebhookEventPage: Codable, Sendable, Hashable {
    public var page: Int
    public var deliveries: [UUID]

    public init(page: Int, deliveries: [UUID]) {
        self.page = page
        self.deliveries = deliveries
    }
}

public struct Provider: Codable, Sendable, Hashable {
    public var id: String
    public var name: String

    public init(id: String, name: String) {
        self.id = id
        self.name = name
    }
}

public struct ProviderList: Codable, Sendable, Hashable {
    public var providers: [Provider]

    public init(providers: [Provider]) { self.providers = providers }
}

public struct UtilityTypeList: Codable, Sendable, Hashable {
    public var types: [String]

    public init(types: [String]) { self.types = types }
}

public struct NotificationPreferences: Codable, Sendable, Hashable {
    public var email: Bool
    public var sms: Bool
    public var push: Bool

    public init(email: Bool, sms: Bool, push: Bool) {
        self.email = email
        self.sms = sms
        self.push = push
    }
}

public struct DocumentMetadata: Codable, Sendable, Hashable {
    public var id: UUID
    public var name: String
    public var contentType: String
    public var bytes: Int

    public init(id: UUID, name: String, contentType: String, bytes: Int) {
        self.id = id
        self.name = name
        self.contentType = contentType
        self.bytes = bytes
    }
}

public struct UserDocuments: Codable, Sendable, Hashable {
    public var documentIds: [UUID]

    public init(documentIds: [UUID]) { self.documentIds = documentIds }
}
