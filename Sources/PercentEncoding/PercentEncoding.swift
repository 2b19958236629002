/// The encoding of `string` param values in keys, shared by the compiler (which reasons about which
/// keys patterns can produce) and the runtime (which renders them), so the two cannot drift apart.
///
/// Every UTF-8 byte outside `A–Z a–z 0–9 - . _ ~` becomes `%XX` (upper-case hex). The output is
/// ASCII without `:`, glob characters, braces or `#`, and the mapping is injective: `%` itself is
/// always encoded, so decoding is unambiguous.
public enum PercentEncoding {
    /// The bytes written as themselves.
    @inlinable
    public static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
             UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    public static func encode(_ value: String) -> String {
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

    /// The inverse of ``encode(_:)``; `nil` for any text ``encode(_:)`` never produces (lower-case
    /// hex, an encoded unreserved byte, a stray `%`, invalid UTF-8, any reserved character).
    public static func decode(_ encoded: String) -> String? {
        var bytes: [UInt8] = []
        var iterator = encoded.utf8.makeIterator()
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

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
