/// The naming rules of the policy language; names become Swift identifiers and key segments.
public enum IdentifierRule: Sendable, CustomStringConvertible {
    /// Services: `[a-z][a-z0-9-]*`, not ending in `-`.
    case service
    /// Key families, params, payload fields, sources, entities: `[a-z][a-zA-Z0-9]*` (lowerCamelCase).
    case member
    /// Warmup job names: `[a-z][a-z0-9-]*`, not ending in `-`.
    case job
    /// Events: two or more dot-separated words, each `[a-z][a-z0-9-]*`.
    case event
    /// Enum values: `[a-z0-9][a-z0-9_-]*`.
    case enumValue

    /// Longest accepted name.
    public static let maxLength = 64

    public var description: String {
        switch self {
        case .service, .job: "names are lower-case letters, digits and '-', starting with a letter"
        case .member: "names are lowerCamelCase letters and digits, starting with a lower-case letter"
        case .event: "event names are dot-separated lower-case words, like 'payment.succeeded'"
        case .enumValue: "enum values are lower-case letters, digits, '-' and '_'"
        }
    }

    public func matches(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= Self.maxLength else { return false }
        // Native strings are contiguous UTF-8; a bridged one is copied once.
        return name.utf8.withContiguousStorageIfAvailable(matches) ?? Array(name.utf8).withUnsafeBufferPointer(matches)
    }

    private func matches(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        switch self {
        case .service, .job:
            return Self.isWord(bytes[...])
        case .member:
            return Self.isLower(bytes[0]) && bytes.allSatisfy { Self.isLower($0) || Self.isUpper($0) || Self.isDigit($0) }
        case .event:
            let words = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
            return words.count >= 2 && words.allSatisfy { Self.isWord($0) }
        case .enumValue:
            return (Self.isLower(bytes[0]) || Self.isDigit(bytes[0]))
                && bytes.allSatisfy { Self.isLower($0) || Self.isDigit($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
        }
    }

    /// A valid name close to `name`, when one is obvious (`user_id` → `userId`).
    public func suggestion(for name: String) -> String? {
        let words = name.split { !$0.isLetter && !$0.isNumber }.map(String.init).filter { !$0.isEmpty }
        guard !words.isEmpty else { return nil }
        let candidate: String
        switch self {
        case .service, .job:
            candidate = words.map { $0.lowercased() }.joined(separator: "-")
        case .member:
            let first = words[0].prefix(1).lowercased() + words[0].dropFirst()
            candidate = ([first] + words.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }).joined()
        case .event:
            candidate = words.map { $0.lowercased() }.joined(separator: ".")
        case .enumValue:
            candidate = words.map { $0.lowercased() }.joined(separator: "-")
        }
        return candidate != name && matches(candidate) ? candidate : nil
    }

    private static func isLower(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") }
    private static func isUpper(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") }
    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// `[a-z][a-z0-9-]*` not ending in `-`.
    private static func isWord(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        guard let first = bytes.first, isLower(first), bytes.last != UInt8(ascii: "-") else { return false }
        return bytes.allSatisfy { isLower($0) || isDigit($0) || $0 == UInt8(ascii: "-") }
    }
}
