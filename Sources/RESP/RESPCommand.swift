import NIOCore

/// A command: a name and its arguments, sent as a RESP array of bulk strings.
///
/// Up to three arguments are held as values (strings and buffers are shared, not copied), so
/// building `GET key` or `SET key value` allocates nothing; the connection encodes the command
/// straight into its outbound buffer. From the fourth argument on, arguments are encoded as they
/// are appended, into one buffer.
public struct RESPCommand: Sendable, Hashable, CustomStringConvertible {
    /// The command name (`GET`, `EVALSHA`), also used in diagnostics.
    public let name: String
    var arguments: Arguments

    enum Arguments: Sendable, Hashable {
        case none
        case one(RESPArgument)
        case two(RESPArgument, RESPArgument)
        case three(RESPArgument, RESPArgument, RESPArgument)
        /// Four or more arguments, encoded as bulk strings (without the array header).
        case encoded(ByteBuffer, count: Int)
    }

    public init(_ name: String) {
        self.name = name
        arguments = .none
    }

    /// One argument (`GET key`).
    public init(_ name: String, _ argument: String) {
        self.name = name
        arguments = .one(.string(argument))
    }

    /// Two arguments (`SET key value`).
    public init(_ name: String, _ first: String, _ second: String) {
        self.name = name
        arguments = .two(.string(first), .string(second))
    }

    public init(_ name: String, _ first: String, _ second: String, _ third: String, _ rest: String...) {
        self.name = name
        arguments = .three(.string(first), .string(second), .string(third))
        for argument in rest { append(argument) }
    }

    /// The number of elements of the array sent: the name and the arguments.
    public var argumentCount: Int {
        switch arguments {
        case .none: 1
        case .one: 2
        case .two: 3
        case .three: 4
        case .encoded(_, let count): count + 1
        }
    }

    public mutating func append(_ argument: String) { append(argument: .string(argument)) }

    public mutating func append(_ argument: ByteBuffer) { append(argument: .bytes(argument)) }

    public mutating func append(_ argument: Int64) { append(argument: .integer(argument)) }

    public mutating func append(_ argument: Int) { append(argument: .integer(Int64(argument))) }

    public mutating func append<S: Sequence>(contentsOf arguments: S) where S.Element == String {
        for argument in arguments { append(argument) }
    }

    public mutating func append(argument: RESPArgument) {
        switch arguments {
        case .none: arguments = .one(argument)
        case .one(let first): arguments = .two(first, argument)
        case .two(let first, let second): arguments = .three(first, second, argument)
        case .three(let first, let second, let third):
            arguments = .none  // release the values before encoding them
            var buffer = ByteBuffer()
            buffer.reserveCapacity(first.encodedLength + second.encodedLength + third.encodedLength + argument.encodedLength + 64)
            first.write(into: &buffer)
            second.write(into: &buffer)
            third.write(into: &buffer)
            argument.write(into: &buffer)
            arguments = .encoded(buffer, count: 4)
        case .encoded(var buffer, let count):
            arguments = .none  // keep the buffer uniquely referenced while appending
            argument.write(into: &buffer)
            arguments = .encoded(buffer, count: count + 1)
        }
    }

    /// Writes the command as RESP (`*N\r\n` then bulk strings) at the end of `buffer`, in one
    /// pass over memory reserved once.
    public func write(into buffer: inout ByteBuffer) {
        let length = encodedLength
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { memory in
            var writer = RawWriter(memory)
            write(to: &writer)
            assert(writer.offset == length)
            return length
        }
    }

    /// Writes commands one after the other, reserving memory once for all of them.
    public static func write(_ commands: [RESPCommand], into buffer: inout ByteBuffer) {
        var length = 0
        for index in commands.indices { length += commands[index].encodedLength }
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { memory in
            var writer = RawWriter(memory)
            for index in commands.indices { commands[index].write(to: &writer) }
            assert(writer.offset == length)
            return length
        }
    }

    /// The number of bytes ``write(into:)`` writes.
    var encodedLength: Int {
        var length = 3 + Self.decimalLength(Int64(argumentCount)) + RESPArgument.encodedLength(ofString: name)
        switch arguments {
        case .none: break
        case .one(let first): length += first.encodedLength
        case .two(let first, let second): length += first.encodedLength + second.encodedLength
        case .three(let first, let second, let third): length += first.encodedLength + second.encodedLength + third.encodedLength
        case .encoded(let encoded, _): length += encoded.readableBytes
        }
        return length
    }

    private func write(to writer: inout RawWriter) {
        writer.write(UInt8(ascii: "*"))
        writer.write(decimal: Int64(argumentCount))
        writer.writeCRLF()
        writer.write(bulkString: name)
        switch arguments {
        case .none: break
        case .one(let first):
            writer.write(first)
        case .two(let first, let second):
            writer.write(first)
            writer.write(second)
        case .three(let first, let second, let third):
            writer.write(first)
            writer.write(second)
            writer.write(third)
        case .encoded(let encoded, _):
            encoded.withUnsafeReadableBytes { writer.write($0) }
        }
    }

    /// The command as RESP, in a buffer of its own.
    public var encoded: ByteBuffer {
        var buffer = ByteBuffer()
        write(into: &buffer)
        return buffer
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

    public var description: String { "\(name) (\(argumentCount - 1) arguments)" }
}

/// An argument of a command: text, bytes or an integer, each sent as a bulk string.
public enum RESPArgument: Sendable, Hashable {
    case string(String)
    case bytes(ByteBuffer)
    case integer(Int64)

    public func append(to command: inout RESPCommand) {
        command.append(argument: self)
    }

    /// The number of bytes the argument takes as a bulk string.
    var encodedLength: Int {
        switch self {
        case .string(let text): Self.encodedLength(ofString: text)
        case .bytes(let bytes): Self.encodedLength(ofBytes: bytes.readableBytes)
        case .integer(let value): Self.encodedLength(ofBytes: RESPCommand.decimalLength(value))
        }
    }

    static func encodedLength(ofString text: String) -> Int {
        encodedLength(ofBytes: text.utf8.count)
    }

    /// `$<count>\r\n`, the bytes, `\r\n`.
    private static func encodedLength(ofBytes count: Int) -> Int {
        5 + RESPCommand.decimalLength(Int64(count)) + count
    }

    /// `$<length>\r\n<bytes>\r\n`
    func write(into buffer: inout ByteBuffer) {
        let length = encodedLength
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { memory in
            var writer = RawWriter(memory)
            writer.write(self)
            return length
        }
    }
}

/// Writes RESP into memory reserved for exactly what is written (callers compute the length first).
private struct RawWriter {
    let memory: UnsafeMutableRawBufferPointer
    private(set) var offset = 0

    init(_ memory: UnsafeMutableRawBufferPointer) {
        self.memory = memory
    }

    mutating func write(_ byte: UInt8) {
        memory[offset] = byte
        offset += 1
    }

    mutating func writeCRLF() {
        memory[offset] = 0x0D
        memory[offset + 1] = 0x0A
        offset += 2
    }

    mutating func write(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        (memory.baseAddress! + offset).copyMemory(from: source, byteCount: bytes.count)
        offset += bytes.count
    }

    mutating func write(decimal value: Int64) {
        let length = RESPCommand.decimalLength(value)
        var remaining = value.magnitude
        var index = offset + length - 1
        repeat {
            memory[index] = UInt8(ascii: "0") + UInt8(remaining % 10)
            remaining /= 10
            index -= 1
        } while remaining > 0
        if value < 0 { memory[offset] = UInt8(ascii: "-") }
        offset += length
    }

    /// `$<length>\r\n<text>\r\n`
    mutating func write(bulkString text: String) {
        write(UInt8(ascii: "$"))
        write(decimal: Int64(text.utf8.count))
        writeCRLF()
        if text.utf8.withContiguousStorageIfAvailable({ write(UnsafeRawBufferPointer($0)) }) == nil {
            for byte in text.utf8 { write(byte) }
        }
        writeCRLF()
    }

    /// `$<length>\r\n<bytes>\r\n`
    mutating func write(_ argument: RESPArgument) {
        switch argument {
        case .string(let text):
            write(bulkString: text)
        case .bytes(let bytes):
            write(UInt8(ascii: "$"))
            write(decimal: Int64(bytes.readableBytes))
            writeCRLF()
            bytes.withUnsafeReadableBytes { write($0) }
            writeCRLF()
        case .integer(let value):
            write(UInt8(ascii: "$"))
            write(decimal: Int64(RESPCommand.decimalLength(value)))
            writeCRLF()
            write(decimal: value)
            writeCRLF()
        }
    }
}
