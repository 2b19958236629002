import Foundation
import PercentEncoding

/// Renders param values into key segments. Every rendering is injective for its type and never
/// contains the separator `:`, a glob character (`* ? [ ] \`), a brace or `#`, so a value cannot
/// cross into another segment, forge another family's key, or widen a `SCAN MATCH` pattern.
/// The compiler's keyspace checks reason with exactly these renderings (docs/policy-language.md).
public enum KeyEncoder {
    /// Lowercase canonical `8-4-4-4-12`.
    @inlinable
    public static func uuid(_ value: UUID) -> String { value.uuidString.lowercased() }

    /// Canonical decimal: no `+`, no leading zeros.
    @inlinable
    public static func int(_ value: Int) -> String { String(value) }

    @inlinable
    public static func bool(_ value: Bool) -> String { value ? "true" : "false" }

    /// Enum values are declared in the policy as `[a-z0-9][a-z0-9_-]*` and written as they are.
    @inlinable
    public static func enumeration<E: RawRepresentable>(_ value: E) -> String where E.RawValue == String {
        value.rawValue
    }

    /// Percent-encoding: every UTF-8 byte outside `A–Z a–z 0–9 - . _ ~` becomes `%XX` (upper-case hex).
    public static func string(_ value: String) -> String { PercentEncoding.encode(value) }

    /// The inverse of ``string(_:)``; `nil` for text ``string(_:)`` never produces.
    public static func decodeString(_ encoded: String) -> String? { PercentEncoding.decode(encoded) }

    /// `literal` with glob characters backslash-escaped, for the literal parts of `SCAN MATCH` patterns.
    public static func escapeGlob(_ literal: String) -> String {
        var out = ""
        out.reserveCapacity(literal.utf8.count)
        for character in literal {
            if "*?[]\\".contains(character) { out.append("\\") }
            out.append(character)
        }
        return out
    }
}
