import NIOCore

/// Limits on what the decoder accepts, so a hostile or broken server cannot make the client
/// allocate gigabytes or recurse without bound.
public struct RESPLimits: Sendable, Hashable {
    /// Longest bulk string, verbatim string or blob error, in bytes.
    public var maxBulkLength: Int
    /// Most elements in one array, set, map (pairs count twice) or push.
    public var maxAggregateCount: Int
    /// Deepest nesting of aggregates.
    public var maxDepth: Int
    /// Longest simple line (simple strings, errors, numbers).
    public var maxLineLength: Int

    public init(maxBulkLength: Int = 512 * 1024 * 1024, maxAggregateCount: Int = 16 * 1024 * 1024, maxDepth: Int = 32, maxLineLength: Int = 64 * 1024) {
        self.maxBulkLength = maxBulkLength
        self.maxAggregateCount = maxAggregateCount
        self.maxDepth = maxDepth
        self.maxLineLength = maxLineLength
    }

    public static let `default` = RESPLimits()
}

/// The bytes are not RESP, or exceed a limit. The connection cannot continue after this.
public struct RESPProtocolError: Error, Sendable, Hashable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { "RESP protocol error: \(message)" }
}

/// Parses RESP values from bytes that arrive in pieces. Iterative (an explicit stack, no
/// recursion) and resumable: when a value is incomplete, the decoder keeps the aggregates it has
/// filled so far and the next call continues where this one stopped, so a large reply that arrives
/// in many reads is decoded once, not once per read. Bulk strings are slices of the input.
public struct RESPDecoder: Sendable {
    public var limits: RESPLimits
    /// Whether RESP3 types are accepted: only after `HELLO 3`. On a RESP2 connection they are a
    /// protocol violation.
    public var acceptsRESP3: Bool
    /// The aggregates of the value being decoded, outermost first.
    private var stack: [Frame] = []

    public init(limits: RESPLimits = .default, acceptsRESP3: Bool = true) {
        self.limits = limits
        self.acceptsRESP3 = acceptsRESP3
    }

    /// Whether part of a value has been consumed and the decoder waits for the rest.
    public var isInsideValue: Bool { !stack.isEmpty }

    /// An aggregate being filled.
    private struct Frame {
        enum Kind { case array, set, map, push, attribute }
        var kind: Kind
        var expected: Int
        var items: [RESPValue] = []
    }

    /// Decodes the next value, advancing `buffer`'s reader index past what it consumed.
    ///
    /// Returns `nil` when the value is not complete yet: the reader index has then moved past the
    /// parts already decoded (kept in the decoder), and what remains readable is an incomplete
    /// element that must be passed again, followed by the bytes that arrive next. Attributes (`|`)
    /// are skipped. After an error the decoder must not be used again.
    public mutating func decode(_ buffer: inout ByteBuffer) throws -> RESPValue? {
        if stack.isEmpty, let value = takeScalar(&buffer) { return value }
        return try decodeInGeneral(&buffer)
    }

    /// The scalar at the front of the buffer, consumed, if the fast path reads it whole.
    private func takeScalar(_ buffer: inout ByteBuffer) -> RESPValue? {
        switch scalar(in: buffer) {
        case .bulkString(let offset, let length, let consumed):
            let payload = buffer.getSlice(at: buffer.readerIndex + offset, length: length)!
            buffer.moveReaderIndex(forwardBy: consumed)
            return .bulkString(payload)
        case .value(let value, let consumed):
            buffer.moveReaderIndex(forwardBy: consumed)
            return value
        case .other:
            return nil
        }
    }

    /// A complete, well-formed scalar at the front of the buffer, read in one pass over its memory.
    private enum Scalar {
        case bulkString(offset: Int, length: Int, consumed: Int)
        case value(RESPValue, consumed: Int)
        /// An aggregate, a rarer type, an incomplete or a malformed value: the general path decides.
        case other
    }

    /// The fast path for the replies most commands get (bulk and simple strings, integers, nulls,
    /// errors). Anything it does not accept whole goes to the general path, which also reports
    /// every error, so both paths accept exactly the same input.
    private func scalar(in buffer: ByteBuffer) -> Scalar {
        buffer.withUnsafeReadableBytes { bytes -> Scalar in
            guard bytes.count >= 3 else { return .other }
            let scanLimit = min(bytes.count, limits.maxLineLength + 2)
            var cr = 1
            while cr < scanLimit, bytes[cr] != 0x0D { cr += 1 }
            guard cr < scanLimit, cr + 1 < bytes.count, bytes[cr + 1] == 0x0A, cr - 1 <= limits.maxLineLength else { return .other }
            let line = UnsafeRawBufferPointer(rebasing: bytes[1..<cr])
            let end = cr + 2
            switch bytes[0] {
            case UInt8(ascii: "$"):
                guard let length = Self.integer(line) else { return .other }
                if length == -1 { return .value(.null, consumed: end) }
                guard length >= 0, length <= limits.maxBulkLength, bytes.count - end >= Int(length) + 2,
                      bytes[end + Int(length)] == 0x0D, bytes[end + Int(length) + 1] == 0x0A
                else { return .other }
                return .bulkString(offset: end, length: Int(length), consumed: end + Int(length) + 2)
            case UInt8(ascii: "+"):
                return .value(.simpleString(String(decoding: line, as: UTF8.self)), consumed: end)
            case UInt8(ascii: "-"):
                return .value(.error(String(decoding: line, as: UTF8.self)), consumed: end)
            case UInt8(ascii: ":"):
                guard let value = Self.integer(line) else { return .other }
                return .value(.integer(value), consumed: end)
            case UInt8(ascii: "_") where line.isEmpty && acceptsRESP3:
                return .value(.null, consumed: end)
            default:
                return .other
            }
        }
    }

    /// A decimal integer, `nil` when malformed or out of range.
    private static func integer(_ digits: UnsafeRawBufferPointer) -> Int64? {
        var index = 0
        var negative = false
        if let sign = digits.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
            negative = sign == UInt8(ascii: "-")
            index = 1
        }
        guard index < digits.count else { return nil }
        var value: Int64 = 0
        while index < digits.count {
            let digit = digits[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = negative ? times10.subtractingReportingOverflow(Int64(digit)) : times10.addingReportingOverflow(Int64(digit))
            guard !overflow1, !overflow2 else { return nil }
            value = next
            index += 1
        }
        return value
    }

    /// Any value: an explicit stack of aggregates being filled, every error reported.
    mutating func decodeInGeneral(_ buffer: inout ByteBuffer) throws -> RESPValue? {
        while true {
            guard var value = try readOne(&buffer) else { return nil }
            // Complete finished aggregates bottom-up.
            var complete = true
            while !stack.isEmpty {
                let top = stack.count - 1
                stack[top].items.append(value)
                guard stack[top].items.count == stack[top].expected, let finished = Self.finish(stack.removeLast()) else {
                    // The aggregate wants more, or an attribute finished: it annotates the next
                    // value, which is read instead.
                    complete = false
                    break
                }
                value = finished
            }
            if complete { return value }
        }
    }

    private static func finish(_ frame: Frame) -> RESPValue? {
        switch frame.kind {
        case .array: return .array(frame.items)
        case .set: return .set(frame.items)
        case .push: return .push(frame.items)
        case .map:
            var pairs: [RESPValue.Pair] = []
            pairs.reserveCapacity(frame.items.count / 2)
            var index = 0
            while index + 1 < frame.items.count {
                pairs.append(RESPValue.Pair(frame.items[index], frame.items[index + 1]))
                index += 2
            }
            return .map(pairs)
        case .attribute: return nil
        }
    }

    /// Reads a scalar, or opens an aggregate on the stack and keeps reading until a scalar (or an
    /// empty aggregate) is available. `nil` means more bytes are needed: `buffer` then starts at
    /// the incomplete element (everything before it is consumed, its aggregates on the stack).
    private mutating func readOne(_ buffer: inout ByteBuffer) throws -> RESPValue? {
        while true {
            // Elements of large aggregates are mostly short scalars: the fast path reads them too.
            if let value = takeScalar(&buffer) { return value }
            var cursor = buffer
            guard let marker = cursor.readInteger(as: UInt8.self) else { return nil }
            guard let line = try readLine(&cursor) else { return nil }
            if !acceptsRESP3, !Self.isRESP2(marker) {
                throw RESPProtocolError("the RESP3 type '\(Unicode.Scalar(marker))' on a RESP2 connection")
            }
            switch marker {
            case UInt8(ascii: "+"):
                buffer = cursor
                return .simpleString(String(buffer: line))
            case UInt8(ascii: "-"):
                buffer = cursor
                return .error(String(buffer: line))
            case UInt8(ascii: ":"):
                let value = try Self.integer(line)
                buffer = cursor
                return .integer(value)
            case UInt8(ascii: "_"):
                guard line.readableBytes == 0 else { throw RESPProtocolError("a null carries no data") }
                buffer = cursor
                return .null
            case UInt8(ascii: "#"):
                let value: Bool
                switch line.readableBytesView.first {
                case UInt8(ascii: "t") where line.readableBytes == 1: value = true
                case UInt8(ascii: "f") where line.readableBytes == 1: value = false
                default: throw RESPProtocolError("a boolean is t or f")
                }
                buffer = cursor
                return .boolean(value)
            case UInt8(ascii: ","):
                let value = try Self.double(String(buffer: line))
                buffer = cursor
                return .double(value)
            case UInt8(ascii: "("):
                let text = String(buffer: line)
                let digits = text.utf8.first == UInt8(ascii: "-") || text.utf8.first == UInt8(ascii: "+") ? text.utf8.dropFirst() : text.utf8[...]
                guard !digits.isEmpty, digits.allSatisfy({ $0 &- UInt8(ascii: "0") < 10 }) else {
                    throw RESPProtocolError("'\(text.prefix(40))' is not a big number")
                }
                buffer = cursor
                return .bigNumber(text)
            case UInt8(ascii: "$"), UInt8(ascii: "!"), UInt8(ascii: "="):
                let length = try Self.integer(line)
                if length == -1, marker == UInt8(ascii: "$") {
                    buffer = cursor
                    return .null
                }
                guard length >= 0 else { throw RESPProtocolError("negative length \(length)") }
                guard length <= limits.maxBulkLength else {
                    throw RESPProtocolError("a bulk string of \(length) bytes exceeds the limit of \(limits.maxBulkLength)")
                }
                guard cursor.readableBytes >= Int(length) + 2 else { return nil }
                let payload = cursor.readSlice(length: Int(length))!
                guard cursor.readInteger(as: UInt16.self) == 0x0D0A else { throw RESPProtocolError("a bulk string does not end with CRLF") }
                buffer = cursor
                switch marker {
                case UInt8(ascii: "!"): return .error(String(buffer: payload))
                case UInt8(ascii: "="):
                    guard payload.readableBytes >= 4, payload.getInteger(at: payload.readerIndex + 3, as: UInt8.self) == UInt8(ascii: ":") else {
                        throw RESPProtocolError("a verbatim string needs a format prefix")
                    }
                    return .verbatimString(String(buffer: payload.getSlice(at: payload.readerIndex + 4, length: payload.readableBytes - 4)!))
                default: return .bulkString(payload)
                }
            case UInt8(ascii: "*"), UInt8(ascii: "~"), UInt8(ascii: ">"), UInt8(ascii: "%"), UInt8(ascii: "|"):
                let count = try Self.integer(line)
                if count == -1, marker == UInt8(ascii: "*") {
                    buffer = cursor
                    return .null
                }
                guard count >= 0 else { throw RESPProtocolError("negative aggregate length \(count)") }
                let isPairs = marker == UInt8(ascii: "%") || marker == UInt8(ascii: "|")
                let (elements, overflow) = Int(count).multipliedReportingOverflow(by: isPairs ? 2 : 1)
                guard !overflow, elements <= limits.maxAggregateCount else {
                    let what = isPairs ? "a map of \(count) pairs (\(overflow ? "too many" : String(elements)) elements)" : "an aggregate of \(count) elements"
                    throw RESPProtocolError("\(what) exceeds the limit of \(limits.maxAggregateCount) elements")
                }
                guard stack.count < limits.maxDepth else {
                    throw RESPProtocolError("aggregates nest deeper than the limit of \(limits.maxDepth)")
                }
                let kind: Frame.Kind = switch marker {
                case UInt8(ascii: "~"): .set
                case UInt8(ascii: ">"): .push
                case UInt8(ascii: "%"): .map
                case UInt8(ascii: "|"): .attribute
                default: .array
                }
                buffer = cursor
                if elements == 0 {
                    if let empty = Self.finish(Frame(kind: kind, expected: 0)) { return empty }
                    continue  // an empty attribute: read the value it annotates
                }
                var frame = Frame(kind: kind, expected: elements)
                // Reserve modestly: the count is the peer's claim, not bytes we have.
                frame.items.reserveCapacity(min(elements, 1024))
                stack.append(frame)
            default:
                throw RESPProtocolError("unknown type byte 0x\(String(marker, radix: 16))")
            }
        }
    }

    /// The type bytes of RESP2: simple string, error, integer, bulk string, array.
    private static func isRESP2(_ marker: UInt8) -> Bool {
        switch marker {
        case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: ":"), UInt8(ascii: "$"), UInt8(ascii: "*"): true
        default: false
        }
    }

    /// A RESP3 double: `inf`, `-inf`, `nan`, or a finite decimal (`1e99999` is not infinity).
    static func double(_ text: String) throws -> Double {
        switch text {
        case "inf": return .infinity
        case "-inf": return -.infinity
        case "nan": return .nan
        default:
            let decimal = text.utf8.allSatisfy { byte in
                byte &- UInt8(ascii: "0") < 10 || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".")
                    || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
            }
            guard decimal, let value = Double(text), value.isFinite else {
                throw RESPProtocolError("'\(text.prefix(40))' is not a finite double")
            }
            return value
        }
    }

    /// The bytes up to the next CRLF (consumed), `nil` if no CRLF yet.
    private func readLine(_ cursor: inout ByteBuffer) throws -> ByteBuffer? {
        let view = cursor.readableBytesView.prefix(limits.maxLineLength + 2)
        guard let cr = view.firstIndex(of: 0x0D) else {
            if view.count > limits.maxLineLength { throw RESPProtocolError("a line is longer than \(limits.maxLineLength) bytes") }
            return nil
        }
        let length = cr - view.startIndex
        guard length <= limits.maxLineLength else { throw RESPProtocolError("a line is longer than \(limits.maxLineLength) bytes") }
        guard cursor.readableBytes >= length + 2 else { return nil }
        guard cursor.getInteger(at: cursor.readerIndex + length + 1, as: UInt8.self) == 0x0A else {
            throw RESPProtocolError("a CR not followed by LF")
        }
        let line = cursor.readSlice(length: length)!
        cursor.moveReaderIndex(forwardBy: 2)
        return line
    }

    /// A decimal integer without allocating.
    private static func integer(_ line: ByteBuffer) throws -> Int64 {
        let value = line.withUnsafeReadableBytes { integer($0) }
        guard let value else {
            throw RESPProtocolError(line.readableBytes == 0 ? "an empty number" : "a malformed number or one out of the 64-bit range")
        }
        return value
    }
}
