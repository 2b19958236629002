import Benchmark
import NIOCore
import RESP

/// Decoding a large reply in one piece against the same bytes arriving in 64 KiB reads, the way a
/// socket delivers them (the handler keeps the unconsumed tail and appends the next read). Goal:
/// pieces cost ≤ 1.5× one piece, i.e. no part of a reply is decoded twice.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal], timeUnits: .milliseconds, scalingFactor: .one,
        maxDuration: .seconds(10), maxIterations: 10)

    /// `LRANGE`-shaped: 1,000,000 short bulk strings, and `ZRANGE … WITHSCORES`-shaped integers.
    let bulk = reply(count: 1_000_000) { "$10\r\nmember\(String($0 % 10_000).leftPadded(to: 4))\r\n" }
    let integers = reply(count: 1_000_000) { ":\($0)\r\n" }

    for (name, bytes) in [("1M bulk strings", bulk), ("1M integers", integers)] {
        Benchmark("\(name), one piece") { benchmark in
            var decoder = RESPDecoder()
            var buffer = bytes
            benchmark.startMeasurement()
            blackHole(try decoder.decode(&buffer))
        }
        Benchmark("\(name), 64 KiB reads") { benchmark in
            var decoder = RESPDecoder()
            var pending = ByteBuffer()
            var value: RESPValue?
            benchmark.startMeasurement()
            var offset = 0
            while offset < bytes.readableBytes {
                var read = bytes.getSlice(at: offset, length: min(65_536, bytes.readableBytes - offset))!
                offset += read.readableBytes
                pending.writeBuffer(&read)
                value = try decoder.decode(&pending)
                pending.discardReadBytes()
            }
            blackHole(value)
        }
    }
}

private func reply(count: Int, element: (Int) -> String) -> ByteBuffer {
    var buffer = ByteBuffer(string: "*\(count)\r\n")
    for index in 0..<count { buffer.writeString(element(index)) }
    return buffer
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
