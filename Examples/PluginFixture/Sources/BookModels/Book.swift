/// A value type from another module: the fixture's cachepolicy.yaml imports BookModels, and the
/// policy names it as `BookModels.Book` and `[BookModels.Book]`.
public struct Book: Codable, Sendable, Hashable {
    public var title: String

    public init(title: String) {
        self.title = title
    }
}
