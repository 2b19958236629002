import NIOCore

/// A RESP2 or RESP3 value as Redis sends it. Bulk strings are slices of the receive buffer
/// (no copy); use ``string`` or ``bytes`` to read them.
public enum RESPValue: Sendable, Hashable {
    /// `+OK`
    case simpleString(String)
    /// `-ERR …` (and RESP3 blob errors `!`)
    case error(String)
    /// `:42`
    case integer(Int64)
    /// `$5 hello`; RESP2's null bulk string is ``null``.
    case bulkString(ByteBuffer)
    /// `*2 …`; RESP2's null array is ``null``.
    case array([RESPValue])
    /// RESP3 `_`, RESP2 `$-1` and `*-1`.
    case null
    /// RESP3 `,3.14`
    case double(Double)
    /// RESP3 `#t`
    case boolean(Bool)
    /// RESP3 `(3492890328409238509324850943850943825024385`
    case bigNumber(String)
    /// RESP3 `=15 txt:Some string` (the text after the format prefix)
    case verbatimString(String)
    /// RESP3 `%` (pairs in the order received)
    case map([Pair])
    /// RESP3 `~`
    case set([RESPValue])
    /// RESP3 `>`: out-of-band data (pub/sub messages, invalidations), never a command's reply.
    case push([RESPValue])

    public struct Pair: Sendable, Hashable {
        public var key: RESPValue
        public var value: RESPValue

        public init(_ key: RESPValue, _ value: RESPValue) {
            self.key = key
            self.value = value
        }
    }

    /// The text of a simple, bulk or verbatim string.
    public var string: String? {
        switch self {
        case .simpleString(let text), .verbatimString(let text), .bigNumber(let text): text
        case .bulkString(let buffer): String(buffer: buffer)
        default: nil
        }
    }

    /// The integer of an integer reply, or of a string holding one.
    public var int: Int64? {
        switch self {
        case .integer(let value): value
        case .bulkString, .simpleString: string.flatMap { Int64($0) }
        default: nil
        }
    }

    /// The elements of an array, set or push.
    public var elements: [RESPValue]? {
        switch self {
        case .array(let items), .set(let items), .push(let items): items
        default: nil
        }
    }

    public var isNull: Bool { self == .null }

    /// The value's RESP type, for messages (`an integer`, `a map of 2 pairs`, …).
    public var kindDescription: String {
        switch self {
        case .simpleString(let text): "a simple string '\(text.prefix(40))'"
        case .error(let message): "an error '\(message.prefix(80))'"
        case .integer(let value): "an integer \(value)"
        case .bulkString(let bytes): "a bulk string of \(bytes.readableBytes) bytes"
        case .array(let items): "an array of \(items.count) elements"
        case .null: "null"
        case .double(let value): "a double \(value)"
        case .boolean(let value): "a boolean \(value)"
        case .bigNumber: "a big number"
        case .verbatimString: "a verbatim string"
        case .map(let pairs): "a map of \(pairs.count) pairs"
        case .set(let items): "a set of \(items.count) elements"
        case .push: "a push"
        }
    }
}

/// A reply Redis sent as an error (`-ERR …`), or a reply of the wrong shape.
public struct RedisError: Error, Sendable, Hashable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) { self.message = message }

    /// The error's first word, e.g. `NOSCRIPT`, `WRONGTYPE`, `NOAUTH`.
    public var code: String { String(message.prefix { $0 != " " }) }

    public var description: String { "Redis error: \(message)" }
}
