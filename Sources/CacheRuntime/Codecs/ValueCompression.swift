internal import CZlib
import NIOCore

/// Whether a family compresses its values.
public enum CompressionPolicy: Sendable, Hashable {
    case none
    /// Compress values larger than this many bytes.
    case over(bytes: Int)
}

/// The stored form of values in families that compress: one header byte, then the payload.
/// `0x00`: the encoded value as is (it was under the threshold, or compressing did not make it
/// smaller). `0x01`: the encoded value's length as a big-endian `UInt32`, then the value as one zlib
/// stream and nothing after it; the length bounds decompression and detects truncated entries.
/// Families without compression store the encoded value with no header, so other languages can
/// read them directly.
///
/// Values in Redis are untrusted input (anyone with access can write them): unwrapping ends on
/// every input, in time linear in the input and the declared length, with a ``CodecError`` for
/// anything that is not exactly one complete stream of the declared length.
public enum ValueCompression {
    static let raw: UInt8 = 0
    static let zlib: UInt8 = 1

    /// Largest value decompression may produce, so a corrupt or hostile entry cannot exhaust memory.
    public static let maxDecompressedSize = 64 * 1024 * 1024

    public static func wrap(_ encoded: ByteBuffer, policy: CompressionPolicy) throws -> ByteBuffer {
        guard case .over(let threshold) = policy else { return encoded }
        guard encoded.readableBytes <= maxDecompressedSize else {
            // It could never be read back.
            throw CodecError("a value of \(encoded.readableBytes) bytes exceeds the \(maxDecompressedSize)-byte limit of compressed families")
        }
        if encoded.readableBytes > threshold,
           let compressed = try deflate(encoded), compressed.readableBytes + 5 < encoded.readableBytes + 1 {
            var out = ByteBuffer()
            out.reserveCapacity(compressed.readableBytes + 5)
            out.writeInteger(zlib)
            out.writeInteger(UInt32(encoded.readableBytes))
            out.writeImmutableBuffer(compressed)
            return out
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

    /// One zlib stream of `input` (default level), or `nil` if zlib cannot compress it.
    private static func deflate(_ input: ByteBuffer) throws -> ByteBuffer? {
        let bound = Int(compressBound(uLong(input.readableBytes)))
        var output = ByteBuffer()
        output.reserveCapacity(bound)
        let status = input.withUnsafeReadableBytes { source -> Int32 in
            output.writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { target in
                var written = uLongf(target.count)
                let status = compress2(
                    target.baseAddress!.assumingMemoryBound(to: Bytef.self), &written,
                    source.baseAddress?.assumingMemoryBound(to: Bytef.self) ?? UnsafePointer(bitPattern: 1)!, uLong(source.count),
                    Z_DEFAULT_COMPRESSION)
                return status == Z_OK ? Int(written) : 0
            } == 0 ? Z_BUF_ERROR : Z_OK
        }
        return status == Z_OK ? output : nil
    }

    /// Inflates exactly one zlib stream into exactly `length` bytes. One `inflate` call with the
    /// whole input and room for one byte more than declared: zlib either ends the stream (then no
    /// input may remain and the size must match), or stops for lack of input (truncated) or of room
    /// (longer than declared). No loop, so no input can make it spin.
    static func inflate(_ compressed: ByteBuffer, length: Int) throws -> ByteBuffer {
        var output = ByteBuffer()
        output.reserveCapacity(length + 1)
        var stream = z_stream()
        guard inflateInit_(&stream, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw CodecError("cannot start decompressing: zlib failed to initialise")
        }
        defer { inflateEnd(&stream) }
        var status: Int32 = Z_OK
        var remaining = 0
        var produced = 0
        compressed.withUnsafeReadableBytes { source in
            _ = output.writeWithUnsafeMutableBytes(minimumWritableBytes: length + 1) { target in
                stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress?.assumingMemoryBound(to: Bytef.self))
                stream.avail_in = uInt(source.count)
                stream.next_out = target.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(length + 1)
                status = CZlib.inflate(&stream, Z_FINISH)
                remaining = Int(stream.avail_in)
                produced = length + 1 - Int(stream.avail_out)
                return produced
            }
        }
        switch status {
        case Z_STREAM_END:
            guard remaining == 0 else { throw CodecError("the compressed value has \(remaining) bytes after the end of its zlib stream") }
            guard produced == length else { throw CodecError("the compressed value inflates to \(produced) bytes, not its declared \(length)") }
            return output
        case Z_BUF_ERROR where produced > length:
            throw CodecError("the compressed value inflates past its declared \(length) bytes")
        case Z_BUF_ERROR, Z_OK:
            throw CodecError("the compressed value is truncated: its zlib stream ends early (\(produced) of \(length) bytes)")
        default:
            let reason = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
            throw CodecError("cannot decompress the stored value: \(reason)")
        }
    }
}
