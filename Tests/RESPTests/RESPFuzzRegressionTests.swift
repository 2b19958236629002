import Foundation
import NIOCore
import Testing
import RESP

/// Replays every input kept in `Fixtures/fuzz` (FuzzRESP findings, and hostile replies found by
/// hand) through the harness's checks: the same values and the same failure whether decoded in one
/// piece or in pieces, only protocol errors.
@Suite("RESP fuzzing regressions")
struct RESPFuzzRegressionTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/fuzz").path

    static var inputs: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasPrefix("FuzzRESP") }.sorted()
    }

    @Test func theFolderHasInputs() {
        #expect(Self.inputs.count >= 3, "the hand-found hostile replies are kept here")
    }

    @Test(arguments: inputs)
    func replays(_ name: String) throws {
        let input = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.folder + "/" + name)))
        guard input.count >= 2 else { return }
        let limits = RESPLimits(maxBulkLength: 4096, maxAggregateCount: 512, maxDepth: 8, maxLineLength: 256)
        let resp3 = input[0] & 1 == 0
        let payload = Array(input[2...])
        let oneShot = RESPDecoderTests.decodeStream(payload, cuts: [], limits: limits, resp3: resp3)
        for cut in 0...payload.count {
            let pieces = RESPDecoderTests.decodeStream(payload, cuts: [cut], limits: limits, resp3: resp3)
            switch (oneShot, pieces) {
            case (.success(let a), .success(let b)): #expect(a == b, "cut at \(cut)")
            case (.failure(let a), .failure(let b)): #expect(a is RESPProtocolError && b is RESPProtocolError)
            default: Issue.record("one piece and pieces cut at \(cut) disagree")
            }
        }
    }
}
