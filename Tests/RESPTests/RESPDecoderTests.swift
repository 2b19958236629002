import TestSupport
import NIOCore
import Testing
@testable import RESP

func decodeAll(_ text: String, limits: RESPLimits = .default) throws -> [RESPValue] {
    var buffer = ByteBuffer(string: text)
    var values: [RESPValue] = []
    var decoder = RESPDecoder(limits: limits)
    while let value = try decoder.decode(&buffer) { values.append(value) }
    #expect(!decoder.isInsideValue)
    #expect(buffer.readableBytes == 0, "left over: \(String(buffer: buffer))")
    return values
}

@Suite("RESP decoder")
struct RESPDecoderTests {
    @Test func resp2Types() throws {
        let values = try decodeAll("+OK\r\n-ERR bad\r\n:-42\r\n$5\r\nhello\r\n$0\r\n\r\n$-1\r\n*2\r\n:1\r\n$1\r\nx\r\n*-1\r\n*0\r\n")
        #expect(values == [
            .simpleString("OK"), .error("ERR bad"), .integer(-42), .bulkString(ByteBuffer(string: "hello")),
            .bulkString(ByteBuffer()), .null, .array([.integer(1), .bulkString(ByteBuffer(string: "x"))]), .null, .array([]),
        ])
    }

    @Test func resp3Types() throws {
        let values = try decodeAll(
            "_\r\n#t\r\n#f\r\n,3.5\r\n,inf\r\n(12345678901234567890\r\n!7\r\nERR bad\r\n=8\r\ntxt:abcd\r\n%1\r\n+k\r\n:1\r\n~2\r\n:1\r\n:2\r\n>2\r\n+message\r\n+x\r\n")
        #expect(values == [
            .null, .boolean(true), .boolean(false), .double(3.5), .double(.infinity), .bigNumber("12345678901234567890"),
            .error("ERR bad"), .verbatimString("abcd"), .map([RESPValue.Pair(.simpleString("k"), .integer(1))]),
            .set([.integer(1), .integer(2)]), .push([.simpleString("message"), .simpleString("x")]),
        ])
    }

    @Test func attributesAreSkipped() throws {
        #expect(try decodeAll("|1\r\n+ttl\r\n:3\r\n:42\r\n") == [.integer(42)])
        #expect(try decodeAll("*2\r\n|1\r\n+a\r\n+b\r\n:1\r\n:2\r\n") == [.array([.integer(1), .integer(2)])])
    }

    @Test func bulkStringsMayContainCRLF() throws {
        #expect(try decodeAll("$4\r\na\r\nb\r\n") == [.bulkString(ByteBuffer(string: "a\r\nb"))])
    }

    /// Values cut at every byte: the decoder consumes what it can, keeps the partial aggregates,
    /// and with the rest appended finishes the same value as in one piece.
    @Test func incompleteInputResumesWhereItStopped() throws {
        let text = "*3\r\n$5\r\nhello\r\n%1\r\n+a\r\n~1\r\n:7\r\n:9\r\n"
        let bytes = Array(text.utf8)
        var whole = ByteBuffer(bytes: bytes)
        var oneShot = RESPDecoder()
        let expected = try oneShot.decode(&whole)
        #expect(expected?.elements?.count == 3)
        #expect(expected?.elements?.last == .integer(9))
        #expect(whole.readableBytes == 0)
        for cut in 0..<bytes.count {
            var decoder = RESPDecoder()
            var buffer = ByteBuffer(bytes: bytes[..<cut])
            #expect(try decoder.decode(&buffer) == nil, "cut at \(cut)")
            buffer.writeBytes(bytes[cut...])
            #expect(try decoder.decode(&buffer) == expected, "cut at \(cut)")
            #expect(buffer.readableBytes == 0)
        }
    }

    /// A large aggregate that arrives in small reads is decoded once: what is consumed is not read
    /// again (each read leaves at most one incomplete element behind).
    @Test func largeRepliesAreNotReDecodedPerRead() throws {
        var reply = "*100000\r\n"
        for index in 0..<100_000 { reply += index % 2 == 0 ? ":\(index)\r\n" : "$3\r\nabc\r\n" }
        let bytes = Array(reply.utf8)
        var decoder = RESPDecoder()
        var pending = ByteBuffer()
        var value: RESPValue?
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + 1000, bytes.count)
            pending.writeBytes(bytes[offset..<end])
            offset = end
            value = try decoder.decode(&pending)
            #expect(pending.readableBytes < 20, "only an incomplete element stays unconsumed")
            pending.discardReadBytes()
        }
        #expect(value?.elements?.count == 100_000)
        #expect(value?.elements?[99_998] == .integer(99_998))
        #expect(value?.elements?[99_999] == .bulkString(ByteBuffer(string: "abc")))
    }

    @Test func resp3TypesAreRejectedOnARESP2Connection() throws {
        for resp3 in ["_\r\n", "#t\r\n", ",1.5\r\n", "(1\r\n", "%1\r\n+a\r\n+b\r\n", "~0\r\n", ">1\r\n+x\r\n", "|1\r\n+a\r\n+b\r\n:1\r\n",
                      "!3\r\nERR\r\n", "=5\r\ntxt:a\r\n", "*1\r\n_\r\n"] {
            var decoder = RESPDecoder(acceptsRESP3: false)
            var buffer = ByteBuffer(string: resp3)
            #expect(throws: RESPProtocolError.self, "\(resp3.debugDescription)") { try decoder.decode(&buffer) }
        }
        var decoder = RESPDecoder(acceptsRESP3: false)
        var buffer = ByteBuffer(string: "*2\r\n$-1\r\n:1\r\n")
        #expect(try decoder.decode(&buffer) == .array([.null, .integer(1)]))
    }

    @Test func numbersAreReadStrictly() throws {
        // `(-` is not a big number, `1e99999` is not infinity, hex and words are not doubles.
        for bad in ["(-\r\n", "(+\r\n", "(--5\r\n", "(1a\r\n", ",1e99999\r\n", ",-1e400\r\n", ",0x1p3\r\n", ",infinity\r\n", ",NaN\r\n", ", 1\r\n"] {
            #expect(throws: RESPProtocolError.self, "\(bad.debugDescription)") { try decodeAll(bad) }
        }
        #expect(try decodeAll("(-12\r\n,-2.5e3\r\n,-inf\r\n") == [.bigNumber("-12"), .double(-2500), .double(-.infinity)])
    }

    @Test func theMapLimitIsExplainedInElements() {
        let limits = RESPLimits(maxAggregateCount: 4)
        do {
            _ = try decodeAll("%3\r\n", limits: limits)
            Issue.record("a map of 3 pairs passed a limit of 4 elements")
        } catch {
            #expect("\(error)".contains("a map of 3 pairs (6 elements) exceeds the limit of 4 elements"))
        }
    }

    @Test func limitsAreEnforced() throws {
        let limits = RESPLimits(maxBulkLength: 10, maxAggregateCount: 4, maxDepth: 3, maxLineLength: 32)
        #expect(throws: RESPProtocolError.self) { try decodeAll("$11\r\n", limits: limits) }
        #expect(throws: RESPProtocolError.self) { try decodeAll("*5\r\n", limits: limits) }
        #expect(throws: RESPProtocolError.self) { try decodeAll("%3\r\n", limits: limits) }
        #expect(throws: RESPProtocolError.self) { try decodeAll("*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n", limits: limits) }
        #expect(throws: RESPProtocolError.self) { try decodeAll("+" + String(repeating: "a", count: 40), limits: limits) }
        // A claimed huge aggregate does not allocate for its claim.
        #expect(throws: RESPProtocolError.self) { try decodeAll("*9223372036854775807\r\n") }
        #expect(throws: RESPProtocolError.self) { try decodeAll("$99999999999999999999\r\n") }
        #expect(try decodeAll("*1\r\n*1\r\n:1\r\n", limits: limits) == [.array([.array([.integer(1)])])])
    }

    @Test func malformedInputIsAnError() {
        for bad in ["?x\r\n", ":12a\r\n", ":\r\n", "$-2\r\n", "#x\r\n", ",abc\r\n", "$3\r\nabcXY", "+a\rb\r\n", "_x\r\n", "=3\r\nabc\r\n"] {
            #expect(throws: RESPProtocolError.self, "\(bad.debugDescription)") { try decodeAll(bad) }
        }
    }

    /// Every value of `bytes`, fed to one decoder in pieces split at `cuts`; the decoder must make
    /// progress on every call that returns a value.
    static func decodeStream(_ bytes: [UInt8], cuts: [Int], limits: RESPLimits, resp3: Bool = true) -> Result<[RESPValue], any Error> {
        Result {
            var decoder = RESPDecoder(limits: limits, acceptsRESP3: resp3)
            var buffer = ByteBuffer()
            var values: [RESPValue] = []
            var start = 0
            for end in cuts + [bytes.count] where end >= start {
                buffer.writeBytes(bytes[start..<end])
                start = end
                while let value = try decoder.decode(&buffer) { values.append(value) }
            }
            return values
        }
    }

    /// Random and truncated byte streams: the decoder returns values, asks for more, or throws a
    /// protocol error; it never crashes or hangs, and the same bytes split at random points give
    /// the same values and errors as in one piece.
    @Test func fuzzRandomAndTruncatedStreams() throws {
        var rng = SeededGenerator(state: 2024)
        let pieces = ["+OK\r\n", "-ERR x\r\n", ":1\r\n", "$3\r\nabc\r\n", "*2\r\n", "%1\r\n", "~1\r\n", ">1\r\n", "_\r\n", "#t\r\n",
                      ",1.5\r\n", "(1\r\n", "|1\r\n", "$-1\r\n", "*-1\r\n", "\r\n", "$", "*", "9999\r\n", "-1\r\n"]
        let limits = RESPLimits(maxBulkLength: 1 << 20, maxAggregateCount: 1 << 16, maxDepth: 16, maxLineLength: 1024)
        var decoded = 0
        for iteration in 0..<20_000 {
            var bytes: [UInt8] = []
            if iteration % 2 == 0 {
                for _ in 0..<Int.random(in: 1...12, using: &rng) { bytes += Array(pieces.randomElement(using: &rng)!.utf8) }
                bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &rng)))
            } else {
                bytes = (0..<Int.random(in: 0...64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            }
            let oneShot = Self.decodeStream(bytes, cuts: [], limits: limits)
            var cuts: [Int] = []
            for _ in 0..<Int.random(in: 1...4, using: &rng) { cuts.append(Int.random(in: 0...bytes.count, using: &rng)) }
            let pieces = Self.decodeStream(bytes, cuts: cuts.sorted(), limits: limits)
            switch (oneShot, pieces) {
            case (.success(let a), .success(let b)):
                #expect(a == b, "\(String(decoding: bytes, as: UTF8.self).debugDescription) cut at \(cuts)")
                decoded += a.count
            case (.failure(let a), .failure(let b)):
                #expect(a is RESPProtocolError && b is RESPProtocolError)
            default:
                Issue.record("one piece and pieces disagree on \(String(decoding: bytes, as: UTF8.self).debugDescription) cut at \(cuts)")
            }
        }
        #expect(decoded > 1_000)
    }

    /// The scalar fast path and the general path agree on every input: the same value, the same
    /// bytes consumed, the same need for more bytes, an error on the same inputs.
    @Test func fastPathAgreesWithTheGeneralPath() {
        var rng = SeededGenerator(state: 7)
        let pieces = ["+OK\r\n", "-ERR x\r\n", ":-12\r\n", ":+3\r\n", "$3\r\nabc\r\n", "$0\r\n\r\n", "$-1\r\n", "_\r\n",
                      "$", "+", ":", "-", "_", "\r", "\n", "9", "a", "-", "$2\r\nab", "99999999999999999999", "\r\n", "*1\r\n"]
        let limits = RESPLimits(maxBulkLength: 8, maxAggregateCount: 16, maxDepth: 4, maxLineLength: 6)
        var agreed = 0
        for _ in 0..<50_000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int.random(in: 1...4, using: &rng) { bytes += Array(pieces.randomElement(using: &rng)!.utf8) }
            var fast = ByteBuffer(bytes: bytes)
            var general = fast
            var fastDecoder = RESPDecoder(limits: limits)
            var generalDecoder = RESPDecoder(limits: limits)
            let fastResult = Result { try fastDecoder.decode(&fast) }
            let generalResult = Result { try generalDecoder.decodeInGeneral(&general) }
            switch (fastResult, generalResult) {
            case (.success(let a), .success(let b)):
                #expect(a == b, "\(String(decoding: bytes, as: UTF8.self).debugDescription)")
                #expect(fast.readableBytes == general.readableBytes)
                if a != nil { agreed += 1 }
            case (.failure, .failure): break
            default:
                Issue.record("the paths disagree on \(String(decoding: bytes, as: UTF8.self).debugDescription)")
            }
        }
        #expect(agreed > 5_000)
    }
}

@Suite("RESP encoder")
struct RESPCommandTests {
    @Test func encodesArraysOfBulkStrings() {
        var command = RESPCommand("SET", "key", "välue")
        command.append(Int64(-15))
        command.append(ByteBuffer(bytes: [0, 13, 10]))
        #expect(String(buffer: command.encoded) == "*5\r\n$3\r\nSET\r\n$3\r\nkey\r\n$6\r\nvälue\r\n$3\r\n-15\r\n$3\r\n\0\r\n\r\n")
        #expect(command.argumentCount == 5)
    }

    @Test func countsPastOneDigit() throws {
        var command = RESPCommand("MGET")
        for index in 0..<120 { command.append("k\(index)") }
        var buffer = command.encoded
        #expect(String(buffer: buffer).hasPrefix("*121\r\n$4\r\nMGET\r\n"))
        var decoder = RESPDecoder()
        let decoded = try decoder.decode(&buffer)
        #expect(decoded?.elements?.count == 121)
    }

    /// Commands of 0 to 8 random arguments (text with multi-byte characters, bytes, integers)
    /// encode exactly as RESP spells them, whichever storage holds the arguments.
    @Test func randomCommandsEncodeLikeTheReference() throws {
        var rng = SeededGenerator(state: 11)
        var batch: [RESPCommand] = []
        var batchReference: [UInt8] = []
        for _ in 0..<2_000 {
            var command = RESPCommand("CMD")
            var expected: [[UInt8]] = [Array("CMD".utf8)]
            for _ in 0..<Int.random(in: 0...8, using: &rng) {
                switch Int.random(in: 0..<3, using: &rng) {
                case 0:
                    let text = String((0..<Int.random(in: 0...20, using: &rng)).map { _ in "aé\r\n€*😀".randomElement(using: &rng)! })
                    command.append(text)
                    expected.append(Array(text.utf8))
                case 1:
                    let bytes = (0..<Int.random(in: 0...300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                    command.append(ByteBuffer(bytes: bytes))
                    expected.append(bytes)
                default:
                    let value = Int64.random(in: Int64.min...Int64.max, using: &rng) >> Int64.random(in: 0...63, using: &rng)
                    command.append(value)
                    expected.append(Array(String(value).utf8))
                }
            }
            var reference = Array("*\(expected.count)\r\n".utf8)
            for argument in expected { reference += Array("$\(argument.count)\r\n".utf8) + argument + [13, 10] }
            #expect(Array(command.encoded.readableBytesView) == reference)
            #expect(command.argumentCount == expected.count)
            var buffer = ByteBuffer(string: "prefix")
            command.write(into: &buffer)
            #expect(Array(buffer.readableBytesView) == Array("prefix".utf8) + reference)
            batch.append(command)
            batchReference += reference
        }
        var written = ByteBuffer()
        RESPCommand.write(batch, into: &written)
        #expect(Array(written.readableBytesView) == batchReference, "a batch is its commands, back to back")
    }

    @Test func integerArguments() {
        for value in [0, 7, 10, -1, Int(Int64.max), Int(Int64.min)] {
            var command = RESPCommand("X")
            command.append(value)
            #expect(String(buffer: command.encoded).hasSuffix("$\(String(value).utf8.count)\r\n\(value)\r\n"))
        }
    }
}
