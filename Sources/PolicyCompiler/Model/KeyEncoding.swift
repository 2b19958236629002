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
        case .bool: return text == "true" || text == "false"
        case .enumeration(let values): return values.contains(text)
        }
    }

    /// The unreserved bytes, written as themselves.
    public static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
             UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// Percent-encodes a string value.
    public static func encodeString(_ value: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(value.utf8.count)
        let hex = Array("0123456789ABCDEF".utf8)
        for byte in value.utf8 {
            if isUnreserved(byte) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether `text` is the encoding of some string.
    public static func isCanonicalString(_ text: String) -> Bool {
        var decoded: [UInt8] = []
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if isUnreserved(byte) {
                decoded.append(byte)
                index += 1
            } else if byte == UInt8(ascii: "%"), index + 2 < bytes.count,
                      let high = upperHexValue(bytes[index + 1]), let low = upperHexValue(bytes[index + 2]) {
                let value = high << 4 | low
                if isUnreserved(value) { return false }
                decoded.append(value)
                index += 3
            } else {
                return false
            }
        }
        return String(validating: decoded, as: UTF8.self) != nil
    }

    public static func isCanonicalInt(_ text: String) -> Bool {
        Int64(text).map { String($0) == text } ?? false
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

    private static func upperHexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
