import Foundation
import NIOCore
import NIOFoundationCompat

/// Raw bytes, the value type of the `bytes` codec.
public typealias Bytes = [UInt8]

/// The codecs the policy language names.
public enum CodecKind: String, Sendable, Hashable, CaseIterable {
    case json, string, bytes, int
}

/// A value could not be encoded or decoded.
public struct CodecError: Error, Sendable, Hashable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }
}

/// Encodes and decodes one value type. The static constructors are constrained to the types
/// each codec can store, so a family whose codec and value type disagree does not compile.
public struct ValueCodec<Value: Sendable>: Sendable {
    public let kind: CodecKind
    private let encoder: @Sendable (Value) throws -> ByteBuffer
    private let decoder: @Sendable (ByteBuffer) throws -> Value

    public init(
        kind: CodecKind, encode: @escaping @Sendable (Value) throws -> ByteBuffer,
        decode: @escaping @Sendable (ByteBuffer) throws -> Value
    ) {
        self.kind = kind
        self.encoder = encode
        self.decoder = decode
    }

    public func encode(_ value: Value) throws -> ByteBuffer { try encoder(value) }
    public func decode(_ buffer: ByteBuffer) throws -> Value { try decoder(buffer) }
}

/// One JSON encoder and decoder for every codec: configuring them is not free, and they are safe
/// to share once configured (Foundation's `JSONEncoder`/`JSONDecoder` are `Sendable`).
private let sharedJSONEncoder: JSONEncoder = {
    let encoder = JSONEncoder()
    encoder.dateEncodingStrategy = .iso8601
    return encoder
}()

private let sharedJSONDecoder: JSONDecoder = {
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .iso8601
    return decoder
}()

extension ValueCodec where Value: Codable {
    /// JSON via Foundation; dates as ISO 8601 so other languages can read the values.
    public static var json: ValueCodec<Value> {
        ValueCodec(
            kind: .json,
            encode: { value in
                try sharedJSONEncoder.encodeAsByteBuffer(value, allocator: ByteBufferAllocator())
            },
            decode: { buffer in
                do {
                    return try sharedJSONDecoder.decode(Value.self, from: buffer)
                } catch {
                    throw CodecError("cannot decode \(Value.self) from JSON: \(error)")
                }
            })
    }
}

extension ValueCodec where Value == String {
    /// UTF-8 text; invalid UTF-8 is an error, never silently repaired.
    public static var string: ValueCodec<String> {
        ValueCodec(
            kind: .string,
            encode: { ByteBuffer(string: $0) },
            decode: { buffer in
                guard let text = String(validating: buffer.readableBytesView, as: UTF8.self) else {
                    throw CodecError("the stored value is not valid UTF-8")
                }
                return text
            })
    }
}

extension ValueCodec where Value == Int {
    /// Decimal ASCII, the representation `INCRBY` works on.
    public static var int: ValueCodec<Int> {
        ValueCodec(
            kind: .int,
            encode: { ByteBuffer(string: String($0)) },
            decode: { buffer in
                guard let text = buffer.getString(at: buffer.readerIndex, length: buffer.readableBytes),
                      let value = Int(text)
                else { throw CodecError("the stored value is not a decimal integer") }
                return value
            })
    }
}

extension ValueCodec where Value == Bytes {
    public static var bytes: ValueCodec<Bytes> {
        ValueCodec(kind: .bytes, encode: { ByteBuffer(bytes: $0) }, decode: { Array($0.readableBytesView) })
    }
}
