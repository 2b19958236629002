import NIOCore

/// A command encoded as RESP (an array of bulk strings) as it is built, straight into one buffer.
public struct RESPCommand: Sendable, Hashable, CustomStringConvertible {
    /// The encoded bytes, ready to write: `*N\r\n` then the arguments.
    public private(set) var encoded: ByteBuffer
    public private(set) var argumentCount = 0
    /// The command name, for diagnostics (`GET`, `EVALSHA`).
    public let name: String

    /// Room before the arguments for the `*N\r\n` header, rewritten right-aligned as arguments are
    /// added (Redis rejects leading zeros, so the count cannot be patched in place at a fixed width).
    private static let headerRoom = 16

    public init(_ name: String, capacity: Int = 64) {
        self.name = name
        encoded = ByteBuffer()
        encoded.reserveCapacity(capacity + Self.headerRoom)
        encoded.writeRepeatingByte(0, count: Self.headerRoom)
        encoded.moveReaderIndex(to: Self.headerRoom)
        append(name)
    }

    /// One argument (`GET key`), without the array a variadic call would allocate.
    public init(_ name: String, _ argument: String) {
        self.init(name)
        append(argument)
    }

    /// Two arguments (`SET key value`), without the array a variadic call would allocate.
    public init(_ name: String, _ first: String, _ second: String) {
        self.init(name)
        append(first)
        append(second)
    }

    public init(_ name: String, _ first: String, _ second: String, _ third: String, _ rest: String...) {
        self.init(name)
        append(first)
        append(second)
        append(third)
        for argument in rest { append(argument) }
    }

    public mutating func append(_ argument: String) {
        encoded.writeInteger(UInt8(ascii: "$"))
        Self.writeDecimal(argument.utf8.count, into: &encoded)
        encoded.writeStaticString("\r\n")
        encoded.writeString(argument)
        encoded.writeStaticString("\r\n")
        bumpCount()
    }

    public mutating func append(_ argument: ByteBuffer) {
        encoded.writeInteger(UInt8(ascii: "$"))
        Self.writeDecimal(argument.readableBytes, into: &encoded)
        encoded.writeStaticString("\r\n")
        encoded.writeImmutableBuffer(argument)
        encoded.writeStaticString("\r\n")
        bumpCount()
    }

    public mutating func append(_ argument: Int64) {
        encoded.writeInteger(UInt8(ascii: "$"))
        Self.writeDecimal(Self.decimalLength(argument), into: &encoded)
        encoded.writeStaticString("\r\n")
        Self.writeDecimal(argument, into: &encoded)
        encoded.writeStaticString("\r\n")
        bumpCount()
    }

    static func decimalLength(_ value: Int64) -> Int {
        var length = value < 0 ? 2 : 1
        var remaining = value.magnitude
        while remaining >= 10 {
            remaining /= 10
            length += 1
        }
        return length
    }

    public mutating func append(_ argument: Int) { append(Int64(argument)) }

    public mutating func append<S: Sequence>(contentsOf arguments: S) where S.Element == String {
        for argument in arguments { append(argument) }
    }

    private mutating func bumpCount() {
        argumentCount += 1
        // Right-aligned `*N\r\n`, written in place without a temporary buffer.
        var index = Self.headerRoom - 1
        encoded.setInteger(UInt8(ascii: "\n"), at: index)
        encoded.setInteger(UInt8(ascii: "\r"), at: index - 1)
        index -= 2
        var value = argumentCount
        repeat {
            encoded.setInteger(UInt8(ascii: "0") + UInt8(value % 10), at: index)
            value /= 10
            index -= 1
        } while value > 0
        encoded.setInteger(UInt8(ascii: "*"), at: index)
        encoded.moveReaderIndex(to: index)
    }

    static func writeDecimal<T: BinaryInteger>(_ value: T, into buffer: inout ByteBuffer) {
        if value < 0 {
            buffer.writeInteger(UInt8(ascii: "-"))
        }
        let magnitude = UInt64(value.magnitude)
        if magnitude < 10 {
            buffer.writeInteger(UInt8(ascii: "0") + UInt8(magnitude))
            return
        }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var remaining = magnitude
        withUnsafeMutableBytes(of: &digits) { raw in
            while remaining > 0 {
                raw[19 - count] = UInt8(ascii: "0") + UInt8(remaining % 10)
                remaining /= 10
                count += 1
            }
            buffer.writeBytes(UnsafeRawBufferPointer(rebasing: raw[(20 - count)...]))
        }
    }

    public var description: String { "\(name) (\(argumentCount - 1) arguments)" }
}

/// An argument of a command: text, bytes or an integer.
public enum RESPArgument: Sendable, Hashable {
    case string(String)
    case bytes(ByteBuffer)
    case integer(Int64)

    public func append(to command: inout RESPCommand) {
        switch self {
        case .string(let text): command.append(text)
        case .bytes(let buffer): command.append(buffer)
        case .integer(let value): command.append(value)
        }
    }
}
