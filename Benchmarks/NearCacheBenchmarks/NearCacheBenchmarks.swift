import Benchmark
@_spi(Internals) import CacheClient
import CacheRuntime
import NIOConcurrencyHelpers
import NIOCore

/// A near-cache hit at 10,000 entries against a lookup in a plain locked dictionary of the same
/// entries, in the same run. Goal: ≤ 2× the dictionary, 0 allocations. One iteration is 1,000
/// lookups of distinct keys (so the malloc count is exact per 1,000).
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .throughput], timeUnits: .microseconds, scalingFactor: .one,
        maxDuration: .seconds(5), maxIterations: 10_000)

    let entries = 10_000
    let spec = KeyFamilySpec(
        service: "user", name: "profile", pattern: "user:profile:{id}", ttl: .seconds(3600), jitter: 0, codec: .string,
        compression: .none, nearCacheEntries: entries)
    let keys = (0..<entries).map { "user:profile:\($0)" }
    let value = ByteBuffer(string: "{\"name\":\"Ada\",\"plan\":\"pro\"}")
    let lookups = (0..<1_000).map { keys[($0 * 7919) % entries] }
    let inserts = lookups.map { $0 + "x" }

    let near = NearCache()
    for key in keys { near.put(key, value, family: spec, ifGeneration: near.generation) }
    let plain = NIOLockedValueBox([String: ByteBuffer]())
    plain.withLockedValue { dictionary in for key in keys { dictionary[key] = value } }

    Benchmark("plain locked dictionary, 10,000 entries, 1,000 lookups") { benchmark in
        for key in lookups { blackHole(plain.withLockedValue { $0[key] }) }
    }
    Benchmark("near-cache hit, 10,000 entries, 1,000 lookups") { benchmark in
        for key in lookups { blackHole(near.get(key, family: spec)) }
    }
    Benchmark("near-cache insert with eviction, 10,000 entries, 1,000 inserts") { benchmark in
        for key in inserts { near.put(key, value, family: spec, ifGeneration: near.generation) }
    }
}
