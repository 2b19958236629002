/// Redis Cluster's key → slot mapping: CRC16 (XMODEM: polynomial 0x1021, initial value 0) of the
/// key, or of its hash tag (the text between the first `{` and the next `}`, when not empty),
/// modulo 16384. Keys with the same hash tag live in the same slot, so a script may touch them all.
public enum HashSlot {
    public static let count = 16_384

    /// The slot of a key.
    public static func of(_ key: some Collection<UInt8>) -> Int {
        Int(crc16(hashTag(key) ?? key[...]) & 0x3FFF)
    }

    public static func of(_ key: String) -> Int { of(key.utf8) }

    /// The hash tag's bytes, if the key has a non-empty one.
    /// Whether the key has a hash tag (`{…}` with something inside): only that part is hashed.
    public static func hasHashTag(_ key: String) -> Bool { hashTag(key.utf8) != nil }

    static func hashTag<C: Collection<UInt8>>(_ key: C) -> C.SubSequence? {
        guard let open = key.firstIndex(of: UInt8(ascii: "{")) else { return nil }
        let afterOpen = key.index(after: open)
        guard let close = key[afterOpen...].firstIndex(of: UInt8(ascii: "}")), close != afterOpen else { return nil }
        return key[afterOpen..<close]
    }

    static func crc16(_ bytes: some Sequence<UInt8>) -> UInt16 {
        var crc: UInt16 = 0
        for byte in bytes { crc = (crc << 8) ^ table[Int(UInt8(truncatingIfNeeded: crc >> 8) ^ byte)] }
        return crc
    }

    private static let table: [UInt16] = (0..<256).map { index in
        var crc = UInt16(index) << 8
        for _ in 0..<8 { crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1 }
        return crc
    }
}
