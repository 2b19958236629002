@_spi(Generated) import CacheRuntime
import Foundation
import NIOCore
import Testing

/// Replays every stored value kept in `Fixtures/fuzz` (FuzzValues findings, and hostile values
/// found in review) through the harness's checks: unwrapping and every codec end with a value or a
/// CodecError, and what decodes round-trips.
@Suite("Stored value fuzzing regressions")
struct ValueFuzzRegressionTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/fuzz").path

    static var inputs: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasPrefix("FuzzValues") }.sorted()
    }

    struct Document: Codable, Sendable, Equatable {
        var id: Int?
        var name: String?
        var tags: [String]?
        var nested: [String: Double]?
    }

    @Test func theFolderHasInputs() {
        #expect(Self.inputs.count >= 2, "the values that hung decompression are kept here")
    }

    @Test(arguments: inputs)
    func replays(_ name: String) throws {
        let stored = ByteBuffer(bytes: try Data(contentsOf: URL(fileURLWithPath: Self.folder + "/" + name)))
        for policy in [CompressionPolicy.none, .over(bytes: 0), .over(bytes: 64)] {
            do {
                let plain = try ValueCompression.unwrap(stored, policy: policy)
                #expect(try ValueCompression.unwrap(try ValueCompression.wrap(plain, policy: policy), policy: policy) == plain)
            } catch {
                #expect(error is CodecError, "\(error)")
            }
        }
        roundTrip(ValueCodec<String>.string, stored)
        roundTrip(ValueCodec<Int>.int, stored)
        roundTrip(ValueCodec<Bytes>.bytes, stored)
        roundTrip(ValueCodec<Document>.json, stored)
    }

    func roundTrip<Value: Equatable>(_ codec: ValueCodec<Value>, _ stored: ByteBuffer) {
        do {
            let value = try codec.decode(stored)
            #expect(try codec.decode(try codec.encode(value)) == value)
        } catch {
            #expect(error is CodecError, "\(codec.kind): \(error)")
        }
    }
}
