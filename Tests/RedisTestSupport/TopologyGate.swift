import TestSupport

/// Lets one multi-process topology (a cluster, a Sentinel group) run at a time in a test process:
/// several at once on a small machine starve every other test's servers. A topology takes the gate
/// when it starts and gives it back when it stops.
enum TopologyGate {
    private static let gate = AsyncSemaphore(permits: 1)

    static func acquire() async { await gate.acquire() }

    static func release() { gate.release() }
}
