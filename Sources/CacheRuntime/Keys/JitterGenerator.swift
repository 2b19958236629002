import Atomics

/// The random source of TTL jitter: SplitMix64 over one process-wide atomic counter, seeded once
/// from the system's generator. Jitter only has to spread expiries, not resist prediction, and
/// the system generator costs a system call per draw (about 0.8 µs here) on every write.
public struct JitterGenerator: RandomNumberGenerator {
    private static let state = ManagedAtomic<UInt64>(UInt64.random(in: .min ... .max))

    public init() {}

    public mutating func next() -> UInt64 {
        var z = Self.state.wrappingIncrementThenLoad(by: 0x9E37_79B9_7F4A_7C15, ordering: .relaxed)
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
