@_spi(Generated) import CacheRuntime
import Foundation
import FuzzSupport
import NIOCore

/// A value the JSON codec reads (any shape a cached entry could have).
struct Document: Codable, Sendable, Equatable {
    var id: Int?
    var name: String?
    var tags: [String]?
    var nested: [String: Double]?
}

// Stored values are untrusted input (anyone with access to Redis can write them): unwrapping a
// compressed value and decoding with every codec end on every input, with the value or a
// CodecError, never a crash or a hang; whatever decodes re-encodes and decodes to the same value.
runFuzzer { data, size in
    let stored = ByteBuffer(bytes: bytes(data, size))
    for policy in [CompressionPolicy.none, .over(bytes: 0), .over(bytes: 64)] {
        do {
            let plain = try ValueCompression.unwrap(stored, policy: policy)
            require(plain.readableBytes <= ValueCompression.maxDecompressedSize, "bounded output")
            let again = try ValueCompression.unwrap(try ValueCompression.wrap(plain, policy: policy), policy: policy)
            require(again == plain, "wrap then unwrap is the identity")
        } catch {
            require(error is CodecError, "only codec errors: \(error)")
        }
    }
    roundTrip(ValueCodec<String>.string, stored)
    roundTrip(ValueCodec<Int>.int, stored)
    roundTrip(ValueCodec<Bytes>.bytes, stored)
    roundTrip(ValueCodec<Document>.json, stored)
    return 0
}

func roundTrip<Value: Equatable>(_ codec: ValueCodec<Value>, _ stored: ByteBuffer) {
    do {
        let value = try codec.decode(stored)
        let again = try codec.decode(try codec.encode(value))
        require(again == value, "\(codec.kind) re-encodes to the same value")
    } catch {
        require(error is CodecError, "\(codec.kind): only codec errors: \(error)")
    }
}
