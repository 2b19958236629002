/// An internal value type: the plugin generates internal declarations, so this works.
struct Book: Codable, Sendable, Hashable {
    var title: String
}
