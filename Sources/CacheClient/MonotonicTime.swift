#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A cheap monotonic clock for near-cache expiry, read on every hit. `ContinuousClock.now` costs
/// about 54 ns here (CLOCK_BOOTTIME), the coarse monotonic clock about 7 ns, at a resolution of a
/// few milliseconds: an entry may outlive its TTL by that much, against TTLs of seconds or more.
enum MonotonicTime {
    static func coarseNanoseconds() -> UInt64 {
        #if canImport(Darwin)
        return clock_gettime_nsec_np(CLOCK_MONOTONIC_RAW_APPROX)
        #else
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC_COARSE, &now)
        return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
        #endif
    }

    /// The monotonic clock at full resolution, for latencies (about 20 ns through the vDSO).
    static func nanoseconds() -> UInt64 {
        #if canImport(Darwin)
        return clock_gettime_nsec_np(CLOCK_UPTIME_RAW)
        #else
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
        #endif
    }
}
