import FuzzSupport
import NIOCore
import RESP

// The RESP decoder on arbitrary bytes: decoding them in one piece and in pieces (cut at points
// the input's first bytes choose) gives the same values and fails on the same inputs, always
// with a RESPProtocolError, never a crash or a hang. Both RESP3 and RESP2 decoders.
runFuzzer { data, size in
    let input = bytes(data, size)
    guard input.count >= 2 else { return 0 }
    let limits = RESPLimits(maxBulkLength: 4096, maxAggregateCount: 512, maxDepth: 8, maxLineLength: 256)
    let resp3 = input[0] & 1 == 0
    let cutSeed = Int(input[1])
    let payload = Array(input[2...])
    var cuts: [Int] = []
    var position = 0
    while !payload.isEmpty, position < payload.count {
        position += 1 + (cutSeed &* (cuts.count + 7)) % max(1, payload.count / 3 + 1)
        if position < payload.count { cuts.append(position) }
    }
    let oneShot = decodeStream(payload, cuts: [], limits: limits, resp3: resp3)
    let pieces = decodeStream(payload, cuts: cuts, limits: limits, resp3: resp3)
    require(oneShot.values.map(canonical) == pieces.values.map(canonical), "the same values in one piece and in pieces")
    require(oneShot.failed == pieces.failed, "an error in one piece exactly when in pieces")
    return 0
}

func decodeStream(_ bytes: [UInt8], cuts: [Int], limits: RESPLimits, resp3: Bool) -> (values: [RESPValue], failed: Bool) {
    var decoder = RESPDecoder(limits: limits, acceptsRESP3: resp3)
    var buffer = ByteBuffer()
    var values: [RESPValue] = []
    var start = 0
    for end in cuts + [bytes.count] {
        buffer.writeBytes(bytes[start..<end])
        start = end
        do {
            while let value = try decoder.decode(&buffer) {
                values.append(value)
                require(values.count <= bytes.count, "progress: no more values than bytes")
            }
        } catch {
            require(error is RESPProtocolError, "only protocol errors: \(error)")
            return (values, true)
        }
    }
    return (values, false)
}

/// A value's content as text (NaN equals NaN here; buffers compare by bytes).
func canonical(_ value: RESPValue) -> String {
    switch value {
    case .bulkString(let bytes): "$" + Array(bytes.readableBytesView).description
    case .array(let items): "*[" + items.map(canonical).joined(separator: ",") + "]"
    case .set(let items): "~[" + items.map(canonical).joined(separator: ",") + "]"
    case .push(let items): ">[" + items.map(canonical).joined(separator: ",") + "]"
    case .map(let pairs): "%[" + pairs.map { canonical($0.key) + ":" + canonical($0.value) }.joined(separator: ",") + "]"
    case .double(let number): "," + (number.isNaN ? "nan" : String(number))
    default: "\(value)"
    }
}
