import Foundation
import PercentEncoding

/// Renders param values into key segments. Every rendering is injective for its type and never
/// contains the separator `:`, a glob character (`* ? [ ] \`), a brace or `#`, so a value cannot
/// cross into another segment, forge another family's key, or widen a `SCAN MATCH` pattern.
/// The compiler's keyspace checks reason with exactly these renderings (docs/policy-language.md).
public enum KeyEncoder {
    /// Lowercase canonical `8-4-4-4-12`, formatted straight from the bytes (no `uuidString`, which
    /// formats with `sprintf`, then a second pass to lower the case: this runs for every key built).
    @inlinable
    public static func uuid(_ value: UUID) -> String {
        withUnsafeBytes(of: value.uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { out in
                let digits: StaticString = "0123456789abcdef"
                var index = 0
                for position in 0..<16 {
                    if position == 4 || position == 6 || position == 8 || position == 10 {
                        out[index] = UInt8(ascii: "-")
                        index += 1
                    }
                    let byte = bytes[position]
                    out[index] = digits.utf8Start[Int(byte >> 4)]
                    out[index + 1] = digits.utf8Start[Int(byte & 0x0F)]
                    index += 2
                }
                return 36
            }
        }
    }

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
