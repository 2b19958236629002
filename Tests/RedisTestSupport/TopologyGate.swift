import NIOConcurrencyHelpers

/// Lets one multi-process topology (a cluster, a Sentinel group) run at a time in a test process:
/// several at once on a small machine starve every other test's servers. A topology takes the gate
/// when it starts and gives it back when it stops.
enum TopologyGate {
    private struct State {
        var held = false
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private static let state = NIOLockedValueBox(State())

    static func acquire() async {
        await withCheckedContinuation { continuation in
            let granted = state.withLockedValue { state -> Bool in
                if state.held {
                    state.waiting.append(continuation)
                    return false
                }
                state.held = true
                return true
            }
            if granted { continuation.resume() }
        }
    }

    static func release() {
        let next = state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
            if state.waiting.isEmpty {
                state.held = false
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.resume()
    }
}
