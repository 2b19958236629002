import CompressNIO
import NIOCore

/// Whether a family compresses its values.
public enum CompressionPolicy: Sendable, Hashable {
    case none
    /// Compress values larger than this many bytes.
    case over(bytes: Int)
}

/// The stored form of values in families that compress: one header byte, then the payload.
/// `0x00`: the encoded value as is (it was under the threshold, or compressing did not make it
/// smaller). `0x01`: the encoded value's length as a big-endian `UInt32`, then the value as a zlib
/// stream; the length bounds decompression and detects truncated entries. Families without
/// compression store the encoded value with no header, so other languages can read them directly.
public enum ValueCompression {
    static let raw: UInt8 = 0
    static let zlib: UInt8 = 1

    /// Largest value decompression may produce, so a corrupt or hostile entry cannot exhaust memory.
    public static let maxDecompressedSize = 64 * 1024 * 1024

    public static func wrap(_ encoded: ByteBuffer, policy: CompressionPolicy) throws -> ByteBuffer {
        guard case .over(let threshold) = policy else { return encoded }
        var input = encoded
        if encoded.readableBytes > threshold {
            let compressed = try input.compress(with: .zlib())
            if compressed.readableBytes < encoded.readableBytes {
                var out = ByteBuffer()
                out.reserveCapacity(compressed.readableBytes + 5)
                out.writeInteger(zlib)
                out.writeInteger(UInt32(encoded.readableBytes))
                out.writeImmutableBuffer(compressed)
                return out
            }
        }
        var out = ByteBuffer()
        out.reserveCapacity(encoded.readableBytes + 1)
        out.writeInteger(raw)
        out.writeImmutableBuffer(encoded)
        return out
    }

    public static func unwrap(_ stored: ByteBuffer, policy: CompressionPolicy) throws -> ByteBuffer {
        guard case .over = policy else { return stored }
        var input = stored
        switch input.readInteger(as: UInt8.self) {
        case raw:
            return input
        case zlib:
            guard let length = input.readInteger(as: UInt32.self).map(Int.init) else {
                throw CodecError("the compressed value is truncated")
            }
            guard length <= maxDecompressedSize else {
                throw CodecError("the compressed value claims \(length) bytes, over the limit of \(maxDecompressedSize)")
            }
            return try inflate(input, length: length)
        default:
            throw CodecError("the stored value has no compression header; was it written by another writer?")
        }
    }

    /// Inflates through a fixed window, stopping as soon as the output would exceed `length`.
    private static func inflate(_ compressed: ByteBuffer, length: Int) throws -> ByteBuffer {
        var input = compressed
        var output = ByteBuffer()
        output.reserveCapacity(length)
        let decompressor = CompressionAlgorithm.zlib().decompressor
        decompressor.window = ByteBufferAllocator().buffer(capacity: min(max(length, 64), 64 * 1024))
        do {
            try decompressor.startStream()
            defer { try? decompressor.finishStream() }
            try input.decompressStream(with: decompressor) { chunk in
                guard output.readableBytes + chunk.readableBytes <= length else {
                    throw CodecError("the compressed value inflates past its declared \(length) bytes")
                }
                output.writeImmutableBuffer(chunk)
            }
        } catch let error as CodecError {
            throw error
        } catch {
            throw CodecError("cannot decompress the stored value: \(error)")
        }
        guard output.readableBytes == length else {
            throw CodecError("the compressed value is truncated: \(output.readableBytes) of \(length) bytes")
        }
        return output
    }
}
