import Foundation

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
    public static func string(_ value: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(value.utf8.count)
        for byte in value.utf8 {
            if isUnreserved(byte) {
                bytes.append(byte)
            } else {
                bytes.append(UInt8(ascii: "%"))
                bytes.append(hexDigits[Int(byte >> 4)])
                bytes.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The inverse of ``string(_:)``; `nil` for text ``string(_:)`` never produces.
    public static func decodeString(_ encoded: String) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(encoded.utf8).makeIterator()
        while let byte = iterator.next() {
            if isUnreserved(byte) {
                bytes.append(byte)
                continue
            }
            guard byte == UInt8(ascii: "%"), let high = iterator.next().flatMap(hexValue),
                  let low = iterator.next().flatMap(hexValue)
            else { return nil }
            let decoded = high << 4 | low
            guard !isUnreserved(decoded) else { return nil }
            bytes.append(decoded)
        }
        return String(validating: bytes, as: UTF8.self)
    }

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

    @usableFromInline
    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
             UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
