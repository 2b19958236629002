/// Parses the quantity literals of the policy language: `15m`, `64MB`, `2.5%`.
enum QuantityParser {
    /// A whole number followed by one of `units`, scaled by the unit's factor; `nil` on any
    /// other text or on overflow.
    static func scaled(_ text: String, units: [(String, Int64)]) -> Int64? {
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        let unit = text.dropFirst(digits.count)
        guard !digits.isEmpty, digits.count <= 18, let number = Int64(digits),
              let factor = units.first(where: { $0.0 == unit })?.1
        else { return nil }
        let (product, overflow) = number.multipliedReportingOverflow(by: factor)
        return overflow ? nil : product
    }

    /// `70%` or `2.5%` as 70 or 2.5.
    static func percent(_ text: String) -> Double? {
        guard text.hasSuffix("%") else { return nil }
        let number = text.dropLast()
        let parts = number.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count),
              parts.allSatisfy({ !$0.isEmpty && $0.count <= 9 && $0.allSatisfy { $0.isASCII && $0.isNumber } })
        else { return nil }
        return Double(number)
    }
}
