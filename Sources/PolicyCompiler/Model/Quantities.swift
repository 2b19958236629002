/// A duration written as `500ms`, `30s`, `15m`, `1h` or `7d`, held in milliseconds.
public struct PolicyDuration: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var milliseconds: Int64

    public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    public static func seconds(_ value: Int64) -> PolicyDuration { .init(milliseconds: value * 1000) }
    public static func minutes(_ value: Int64) -> PolicyDuration { .init(milliseconds: value * 60_000) }
    public static func hours(_ value: Int64) -> PolicyDuration { .init(milliseconds: value * 3_600_000) }
    public static func days(_ value: Int64) -> PolicyDuration { .init(milliseconds: value * 86_400_000) }

    /// The largest unit that divides the value exactly: `90000` ms is `90s`, `3600000` is `1h`.
    public var description: String {
        for (unit, factor) in Self.units.reversed() where milliseconds % factor == 0 && milliseconds != 0 {
            return "\(milliseconds / factor)\(unit)"
        }
        return "\(milliseconds)ms"
    }

    public static func < (a: PolicyDuration, b: PolicyDuration) -> Bool { a.milliseconds < b.milliseconds }

    /// Units in increasing size, with their length in milliseconds.
    static let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
}

/// A size written as `512B`, `1KB`, `64MB` or `2GB` (binary units), held in bytes.
public struct ByteCount: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var bytes: Int64

    public init(bytes: Int64) { self.bytes = bytes }

    public var description: String {
        for (unit, factor) in Self.units.reversed() where bytes % factor == 0 && bytes != 0 {
            return "\(bytes / factor)\(unit)"
        }
        return "\(bytes)B"
    }

    public static func < (a: ByteCount, b: ByteCount) -> Bool { a.bytes < b.bytes }

    static let units: [(String, Int64)] = [("B", 1), ("KB", 1024), ("MB", 1024 * 1024), ("GB", 1024 * 1024 * 1024)]
}

/// A percentage written as `70%` or `2.5%`; `value` is in percent (70, not 0.7).
public struct Percent: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var value: Double

    public init(_ value: Double) { self.value = value }

    /// The share as a ratio (70% is 0.7).
    public var ratio: Double { value / 100 }

    public var description: String {
        value == value.rounded() ? "\(Int64(value))%" : "\(value)%"
    }

    public static func < (a: Percent, b: Percent) -> Bool { a.value < b.value }
}
