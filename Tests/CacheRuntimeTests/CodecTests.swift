import TestSupport
@_spi(Generated) import CacheRuntime
import Foundation
import NIOCore
import Testing

struct Sample: Codable, Sendable, Hashable {
    var name: String
    var when: Date
    var tags: [String]
}

let plainFamily = KeyFamilySpec(
    service: "test", name: "plain", pattern: "test:plain:{id}", ttl: .seconds(600), jitter: 0.1, codec: .json,
    compression: .none)
let compressedFamily = KeyFamilySpec(
    service: "test", name: "big", pattern: "test:big:{id}", ttl: .seconds(60), jitter: 0, codec: .json,
    compression: .over(bytes: 256))

@Suite("Codecs and compression")
struct CodecTests {
    @Test func jsonRoundTripUsesISODates() throws {
        let value = Sample(name: "ünïcode \"quoted\"", when: Date(timeIntervalSince1970: 1_700_000_000), tags: ["a", "b"])
        let key = CacheKey(key: "test:plain:1", family: plainFamily, codec: .json as ValueCodec<Sample>)
        let stored = try key.encode(value)
        #expect(String(buffer: stored).contains("\"2023-11-14T22:13:20Z\""))
        #expect(try key.decode(stored) == value)
    }

    @Test func stringIntAndBytesRoundTrip() throws {
        let text = CacheKey(key: "k", family: plainFamily, codec: .string)
        #expect(try text.decode(text.encode("héllo\0")) == "héllo\0")
        let number = CacheKey(key: "k", family: plainFamily, codec: .int)
        #expect(String(buffer: try number.encode(-12)) == "-12", "INCRBY-compatible")
        #expect(try number.decode(number.encode(Int.min)) == Int.min)
        let bytes = CacheKey(key: "k", family: plainFamily, codec: .bytes)
        let raw: Bytes = [0, 255, 10, 13]
        #expect(try bytes.decode(bytes.encode(raw)) == raw)
    }

    @Test func decodingGarbageFailsCleanly() {
        let number = CacheKey(key: "k", family: plainFamily, codec: .int)
        #expect(throws: CodecError.self) { try number.decode(ByteBuffer(string: "12a")) }
        let text = CacheKey(key: "k", family: plainFamily, codec: .string)
        #expect(throws: CodecError.self) { try text.decode(ByteBuffer(bytes: [0xC3])) }
        let json = CacheKey(key: "k", family: plainFamily, codec: .json as ValueCodec<Sample>)
        #expect(throws: CodecError.self) { try json.decode(ByteBuffer(string: "{\"name\": 1}")) }
    }

    @Test func compressionOnlyAboveTheThreshold() throws {
        let key = CacheKey(key: "k", family: compressedFamily, codec: .string)
        let small = try key.encode("short")
        #expect(small.getInteger(at: small.readerIndex, as: UInt8.self) == 0)
        #expect(try key.decode(small) == "short")
        let large = String(repeating: "payment history row; ", count: 200)
        let stored = try key.encode(large)
        #expect(stored.getInteger(at: stored.readerIndex, as: UInt8.self) == 1)
        #expect(stored.readableBytes < large.utf8.count / 4)
        #expect(try key.decode(stored) == large)
    }

    @Test func incompressibleValuesAreStoredRaw() throws {
        var rng = SeededGenerator(state: 5)
        let noise = (0..<4096).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let key = CacheKey(key: "k", family: compressedFamily, codec: .bytes)
        let stored = try key.encode(noise)
        #expect(stored.getInteger(at: stored.readerIndex, as: UInt8.self) == 0)
        #expect(try key.decode(stored) == noise)
    }

    @Test func corruptCompressedValuesFailCleanly() {
        let key = CacheKey(key: "k", family: compressedFamily, codec: .string)
        #expect(throws: CodecError.self) { try key.decode(ByteBuffer(bytes: [1, 0x78, 0x9C, 0xFF, 0x00])) }
        #expect(throws: CodecError.self) { try key.decode(ByteBuffer(bytes: [7, 1, 2])) }
        #expect(throws: CodecError.self) { try key.decode(ByteBuffer()) }
    }

    @Test func decompressionIsBoundedByTheDeclaredLength() throws {
        // A value too large to be read back is refused when written, not discovered when read.
        #expect(throws: CodecError.self) {
            try ValueCompression.wrap(ByteBuffer(repeating: 0, count: ValueCompression.maxDecompressedSize + 1), policy: .over(bytes: 1))
        }
        // 64 MiB of zeros compresses to a few dozen KiB: a "zip bomb" for a cache reader.
        let bomb = try ValueCompression.wrap(ByteBuffer(repeating: 0, count: ValueCompression.maxDecompressedSize), policy: .over(bytes: 1))
        #expect(bomb.readableBytes < 200_000)
        #expect(try ValueCompression.unwrap(bomb, policy: .over(bytes: 1)).readableBytes == ValueCompression.maxDecompressedSize)
        var payload = bomb
        payload.moveReaderIndex(forwardBy: 5)
        // A header that lies about the length is caught while inflating, not after.
        #expect(throws: CodecError.self) { try ValueCompression.unwrap(Self.stored(claiming: 10, payload), policy: .over(bytes: 1)) }
        // A header that claims more than the limit is refused before inflating.
        #expect(throws: CodecError.self) {
            try ValueCompression.unwrap(Self.stored(claiming: ValueCompression.maxDecompressedSize + 1, payload), policy: .over(bytes: 1))
        }
    }

    /// A compressed-form value: header byte 1, the claimed length, then `payload`.
    static func stored(claiming length: Int, _ payload: ByteBuffer) -> ByteBuffer {
        var stored = ByteBuffer()
        stored.writeInteger(UInt8(1))
        stored.writeInteger(UInt32(length))
        stored.writeImmutableBuffer(payload)
        return stored
    }

    /// Issue 9: any byte after the end of the zlib stream made decompression spin forever.
    @Test func bytesAfterTheStreamAreAnErrorNotAHang() throws {
        let trailing = ByteBuffer(bytes: [0x01, 0x00, 0x00, 0x00, 0x01, 0x78, 0x9C, 0x4B, 0x04, 0x00, 0x00, 0x62, 0x00, 0x62, 0x00])
        #expect(throws: CodecError.self) { try ValueCompression.unwrap(trailing, policy: .over(bytes: 1)) }
        // The same stream without the trailing byte is the one-byte value "a".
        let exact = trailing.getSlice(at: 0, length: 14)!
        #expect(try ValueCompression.unwrap(exact, policy: .over(bytes: 1)) == ByteBuffer(string: "a"))
        // Two streams back to back.
        let stream = trailing.getSlice(at: 5, length: 9)!
        var twice = Self.stored(claiming: 1, stream)
        twice.writeImmutableBuffer(stream)
        #expect(throws: CodecError.self) { try ValueCompression.unwrap(twice, policy: .over(bytes: 1)) }
        // Twice the content under one header that claims both.
        #expect(throws: CodecError.self) { try ValueCompression.unwrap(Self.stored(claiming: 2, twice.getSlice(at: 5, length: 18)!), policy: .over(bytes: 1)) }
    }

    /// Every prefix and every single-byte corruption of a compressed value ends, with the value
    /// or a ``CodecError``, never a hang or a crash.
    @Test func everyPrefixAndCorruptionEnds() throws {
        let text = String(repeating: "invoice 2026-11 paid; ", count: 40)
        let stored = try ValueCompression.wrap(ByteBuffer(string: text), policy: .over(bytes: 16))
        #expect(stored.getInteger(at: 0, as: UInt8.self) == 1)
        for length in 0..<stored.readableBytes {
            #expect(throws: CodecError.self) { try ValueCompression.unwrap(stored.getSlice(at: 0, length: length)!, policy: .over(bytes: 16)) }
        }
        var rng = SeededGenerator(state: 9)
        for _ in 0..<2000 {
            var corrupt = stored
            let index = Int.random(in: 5..<stored.readableBytes, using: &rng)
            corrupt.setInteger(UInt8.random(in: 0...255, using: &rng), at: index)
            if let value = try? ValueCompression.unwrap(corrupt, policy: .over(bytes: 16)) {
                #expect(value.readableBytes == text.utf8.count)
            }
        }
    }

    @Test func truncatedCompressedValuesAreDetected() throws {
        let key = CacheKey(key: "k", family: compressedFamily, codec: .string)
        let stored = try key.encode(String(repeating: "abcdefgh", count: 500))
        let truncated = stored.getSlice(at: stored.readerIndex, length: stored.readableBytes - 6)!
        #expect(throws: CodecError.self) { try key.decode(truncated) }
    }
}

@Suite("Policy values")
struct PolicyValueTests {
    @Test func writeTTLStaysWithinJitterBounds() {
        var rng = SeededGenerator(state: 3)
        #expect(plainFamily.ttlRange == 540_000...660_000)
        var seen = Set<Int64>()
        for _ in 0..<10_000 {
            let ttl = plainFamily.writeTTL(using: &rng)
            #expect(plainFamily.ttlRange.contains(ttl))
            seen.insert(ttl / 10_000)
        }
        #expect(seen.count >= 12, "draws spread across the whole range")
        #expect(compressedFamily.ttlRange == 60_000...60_000)
    }

    /// The default jitter source (no system call per write) spreads TTLs over the whole range,
    /// evenly: each tenth of the range gets its share of 20,000 draws.
    @Test func defaultJitterSpreadsEvenly() {
        var buckets = [Int](repeating: 0, count: 10)
        for _ in 0..<20_000 {
            let ttl = plainFamily.writeTTL()
            #expect(plainFamily.ttlRange.contains(ttl))
            buckets[min(9, Int((ttl - 540_000) / 12_000))] += 1
        }
        #expect(buckets.allSatisfy { $0 > 1_600 && $0 < 2_400 }, "\(buckets)")
        #expect(compressedFamily.writeTTL() == 60_000, "no jitter: the TTL itself")
    }

    @Test func tagKeysAreServiceScoped() {
        #expect(plainFamily.tagKey("user:1") == "#tag:test:user:1")
        #expect(KeyFamilySpec.tagKey(service: "payment", "user:1") != KeyFamilySpec.tagKey(service: "billing", "user:1"))
    }

    @Test func retryBacksOffExponentiallyUpToMax() {
        let retry = RetryPolicy(attempts: 5, backoff: .milliseconds(500), max: .seconds(3))
        #expect((1...5).map { retry.ceiling(beforeRetry: $0) } == [.milliseconds(500), .seconds(1), .seconds(2), .seconds(3), .seconds(3)])
    }

    @Test func priorityOrder() {
        #expect(WarmupJobSpec.Priority.allCases.sorted() == [.high, .medium, .low])
    }
}
