import NIOCore

extension RESPCommand {
    /// Commands that name no key: a cluster may send them to any node.
    private static let keyless: Set<String> = [
        "PING", "INFO", "SCRIPT", "CLIENT", "CLUSTER", "HELLO", "AUTH", "SELECT", "ROLE", "WAIT", "ACL", "CONFIG",
        "DBSIZE", "FLUSHALL", "FLUSHDB", "SCAN", "MULTI", "EXEC", "DISCARD", "READONLY", "READWRITE", "ASKING", "TIME",
        "ECHO", "COMMAND", "SLOWLOG", "LATENCY", "QUIT", "RESET", "SUBSCRIBE", "PSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE",
        "PUBLISH", "FUNCTION", "DEBUG", "LASTSAVE", "SAVE", "BGSAVE", "SHUTDOWN", "SWAPDB", "MONITOR", "SENTINEL",
    ]

    /// The key a Redis Cluster routes the command by (its first key), or `nil` for a command that
    /// names none. `EVAL`/`EVALSHA`/`FCALL` route by their first key (none when `numkeys` is 0),
    /// `XREAD`/`XREADGROUP` by the first stream after `STREAMS`, `MEMORY USAGE`/`OBJECT …` by their
    /// key, every other command by its first argument.
    public var routingKey: String? {
        let upper = name.uppercased()
        switch upper {
        case "EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "FCALL", "FCALL_RO":
            guard let count = argument(at: 1).flatMap({ Int($0) }), count > 0 else { return nil }
            return argument(at: 2)
        case "XREAD", "XREADGROUP":
            let all = argumentStrings()
            guard let streams = all.firstIndex(where: { $0.uppercased() == "STREAMS" }), streams + 1 < all.count else { return nil }
            return all[streams + 1]
        case "MEMORY", "OBJECT":
            return argument(at: 1)
        default:
            return Self.keyless.contains(upper) ? nil : argument(at: 0)
        }
    }

    /// The argument at `index` (after the name) as text, if there is one.
    public func argument(at index: Int) -> String? {
        switch arguments {
        case .none: return nil
        case .one(let first): return index == 0 ? first.text : nil
        case .two(let first, let second): return [first, second].dropFirst(index).first?.text
        case .three(let first, let second, let third): return [first, second, third].dropFirst(index).first?.text
        case .encoded: return argumentStrings().dropFirst(index).first
        }
    }

    /// Every argument as text (bytes decoded as UTF-8, lossily).
    public func argumentStrings() -> [String] {
        switch arguments {
        case .none: return []
        case .one(let first): return [first.text]
        case .two(let first, let second): return [first.text, second.text]
        case .three(let first, let second, let third): return [first.text, second.text, third.text]
        case .encoded(var buffer, let count):
            var out: [String] = []
            out.reserveCapacity(count)
            // Bulk strings as written by RESPArgument.write: `$<length>\r\n<bytes>\r\n`.
            while out.count < count, buffer.readInteger(as: UInt8.self) == UInt8(ascii: "$") {
                var length = 0
                while let byte = buffer.readInteger(as: UInt8.self), byte != UInt8(ascii: "\r") {
                    length = length * 10 + Int(byte - UInt8(ascii: "0"))
                }
                buffer.moveReaderIndex(forwardBy: 1)  // \n
                guard let text = buffer.readString(length: length) ?? buffer.readBytes(length: length).map({ String(decoding: $0, as: UTF8.self) }) else { break }
                out.append(text)
                buffer.moveReaderIndex(forwardBy: 2)  // \r\n
            }
            return out
        }
    }
}

extension RESPArgument {
    /// The argument as text (bytes decoded as UTF-8, lossily).
    var text: String {
        switch self {
        case .string(let text): text
        case .bytes(let bytes): String(decoding: bytes.readableBytesView, as: UTF8.self)
        case .integer(let value): String(value)
        }
    }
}
