import PercentEncoding

/// How the runtime renders param values inside keys, as predicates the checker reasons with.
///
/// - `uuid`: lowercase `8-4-4-4-12` hex; `int`: canonical decimal (`0`, `-12`, no leading zeros);
///   `bool`: `true` / `false`; enum values as declared (`[a-z0-9][a-z0-9_-]*`).
/// - `string`: every UTF-8 byte outside `A–Z a–z 0–9 - . _ ~` is written `%XX` (upper-case hex).
///   The result never contains `:`, `*`, `?`, `[`, `]`, `\`, `{` or `}`, and the mapping is injective,
///   so a value can neither cross a separator nor widen a SCAN pattern.
public enum KeyEncoding {
    /// Whether `text` is what the runtime can render for a value of `type`.
    public static func canRender(_ text: String, as type: ParamType) -> Bool {
        switch type {
        case .string: return isCanonicalString(text)
        case .int: return isCanonicalInt(text)
        case .uuid: return isCanonicalUUID(text)
        case .bool: return text.utf8.elementsEqual("true".utf8) || text.utf8.elementsEqual("false".utf8)
        case .enumeration(let values): return values.contains { $0.utf8.elementsEqual(text.utf8) }
        }
    }

    /// Percent-encodes a string value (the runtime's rendering, from the shared `PercentEncoding`).
    public static func encodeString(_ value: String) -> String { PercentEncoding.encode(value) }

    /// Whether `text` is the encoding of some string.
    public static func isCanonicalString(_ text: String) -> Bool { PercentEncoding.decode(text) != nil }

    public static func isCanonicalInt(_ text: String) -> Bool {
        Int64(text).map { String($0).utf8.elementsEqual(text.utf8) } ?? false
    }

    public static func isCanonicalUUID(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 36 else { return false }
        for (index, byte) in bytes.enumerated() {
            if [8, 13, 18, 23].contains(index) {
                guard byte == UInt8(ascii: "-") else { return false }
            } else {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
                else { return false }
            }
        }
        return true
    }
}
