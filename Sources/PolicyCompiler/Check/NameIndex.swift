/// Names → the position of their first occurrence. A service declares a handful of params and a few
/// dozen key families, found by a linear search (cheaper than hashing each name); past `linearLimit`
/// names they are hashed, so a file declaring thousands (hostile or generated) is checked in linear
/// time, not quadratic.
struct NameIndex: Sendable {
    static let linearLimit = 32

    /// The names, in order (repeats included).
    let names: [String]
    private let hashed: [String: Int]?

    init(_ names: [String]) {
        self.names = names
        if names.count > Self.linearLimit {
            var hashed = [String: Int](minimumCapacity: names.count)
            for (position, name) in names.enumerated() where hashed[name] == nil { hashed[name] = position }
            self.hashed = hashed
        } else {
            hashed = nil
        }
    }

    /// Where `name` first occurs, if it does.
    func firstIndex(of name: String) -> Int? {
        if let hashed { return hashed[name] }
        return names.firstIndex(of: name)
    }
}
