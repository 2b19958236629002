/// Parses the quantity literals of the policy language: `15m`, `64MB`, `2.5%`.
enum QuantityParser {
    /// A whole number followed by one of `units`, scaled by the unit's factor; `nil` on any
    /// other text or on overflow.
    static func scaled(_ text: String, units: [(String, Int64)]) -> Int64? {
        // Judged on the UTF-8 bytes: digits and units are ASCII, and a unit must be exactly one
        // of the names (not text that is only canonically equivalent, like the Kelvin sign).
        var text = text
        return text.withUTF8 { bytes -> Int64? in
            var digitCount = 0
            while digitCount < bytes.count, bytes[digitCount] &- UInt8(ascii: "0") < 10 { digitCount += 1 }
            guard digitCount > 0, digitCount <= 18 else { return nil }
            let unit = UnsafeBufferPointer(rebasing: bytes[digitCount...])
            guard let factor = units.first(where: { $0.0.utf8.count == unit.count && $0.0.utf8.elementsEqual(unit) })?.1 else {
                return nil
            }
            var number: Int64 = 0
            for byte in bytes[..<digitCount] { number = number * 10 + Int64(byte - UInt8(ascii: "0")) }
            let (product, overflow) = number.multipliedReportingOverflow(by: factor)
            return overflow ? nil : product
        }
    }

    /// `70%` or `2.5%` as 70 or 2.5.
    static func percent(_ text: String) -> Double? {
        let utf8 = text.utf8
        guard utf8.last == UInt8(ascii: "%") else { return nil }
        let number = utf8.dropLast()
        let parts = number.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count),
              parts.allSatisfy({ !$0.isEmpty && $0.count <= 9 && $0.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } })
        else { return nil }
        return Double(Substring(number))
    }
}
