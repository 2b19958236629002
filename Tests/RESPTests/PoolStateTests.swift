import Testing
@testable import RESP

/// The pool's transitions without a server: connections and waiters are plain values.
@Suite("Pool state machine")
struct PoolStateTests {
    final class Connection {
        var open = true
    }
    typealias State = PoolState<Connection, String>
    let start = ContinuousClock.now

    func lease(_ state: inout State, _ id: UInt64, at offset: Duration = .zero, discard: inout [Connection]) -> State.LeaseAction {
        state.lease(id: id, waiter: "w\(id)", now: start + offset, isUsable: \.open, discard: &discard)
    }

    @Test func opensUpToTheLimitThenQueuesInOrder() {
        var state = State(maxConnections: 2, healthCheckAfter: .seconds(30))
        var discard: [Connection] = []
        guard case .open = lease(&state, 1, discard: &discard), case .open = lease(&state, 2, discard: &discard) else {
            Issue.record("two opens"); return
        }
        #expect(state.size == 2, "opening counts")
        guard case .wait = lease(&state, 3, discard: &discard), case .wait = lease(&state, 4, discard: &discard) else {
            Issue.record("the rest wait"); return
        }
        let a = Connection(), b = Connection()
        let openedA = state.opened(a), openedB = state.opened(b)
        #expect(openedA && openedB)
        #expect(state.size == 2 && state.leased == 2)
        guard case .handOver("w3") = state.release(a, usable: true, now: start) else { Issue.record("first waiter first"); return }
        guard case .handOver("w4") = state.release(b, usable: true, now: start) else { Issue.record("then the next"); return }
        guard case .keep = state.release(a, usable: true, now: start) else { Issue.record("idle"); return }
        guard case .use(let reused) = lease(&state, 5, discard: &discard), reused === a else { Issue.record("reuse"); return }
        #expect(state.size == 2)
    }

    /// The first version's defect: a connection under health check was not counted, so a
    /// concurrent lease opened one more than the limit.
    @Test func healthChecksCountAgainstTheLimit() {
        var state = State(maxConnections: 1, healthCheckAfter: .seconds(1))
        var discard: [Connection] = []
        _ = lease(&state, 1, discard: &discard)
        let a = Connection()
        _ = state.opened(a)
        _ = state.release(a, usable: true, now: start)
        guard case .check(let checked) = lease(&state, 2, at: .seconds(5), discard: &discard), checked === a else {
            Issue.record("idle too long: ping it"); return
        }
        #expect(state.size == 1)
        guard case .wait = lease(&state, 3, at: .seconds(5), discard: &discard) else { Issue.record("must wait, not open a second"); return }
        let healthy = state.checked(a, healthy: true)
        #expect(healthy)
        #expect(state.size == 1 && state.leased == 1 && state.waiters.count == 1)
    }

    @Test func closedConnectionsAreReplacedAndFailuresBackOff() {
        var state = State(maxConnections: 1, healthCheckAfter: .seconds(30))
        var discard: [Connection] = []
        _ = lease(&state, 1, discard: &discard)
        let a = Connection()
        _ = state.opened(a)
        _ = state.release(a, usable: true, now: start)
        a.open = false
        guard case .open = lease(&state, 2, discard: &discard) else { Issue.record("a closed idle connection is replaced"); return }
        #expect(discard.count == 1 && discard[0] === a)
        state.openFailed(now: start, delay: { .milliseconds(100 * $0) })
        #expect(state.size == 0)
        guard case .fail(let error) = lease(&state, 3, at: .milliseconds(50), discard: &discard) else { Issue.record("fail fast"); return }
        #expect(error.kind == .unavailable)
        guard case .open = lease(&state, 4, at: .milliseconds(100), discard: &discard) else { Issue.record("retry after the delay"); return }
    }

    /// A leased connection that died frees its slot for the first waiter's new connection.
    @Test func aDeadReleaseOpensForTheFirstWaiter() {
        var state = State(maxConnections: 1, healthCheckAfter: .seconds(30))
        var discard: [Connection] = []
        _ = lease(&state, 1, discard: &discard)
        let a = Connection()
        _ = state.opened(a)
        _ = lease(&state, 2, discard: &discard)
        guard case .closeAndOpenFor("w2") = state.release(a, usable: false, now: start) else { Issue.record("open for the waiter"); return }
        #expect(state.size == 1 && state.waiters.isEmpty)
        state.openForWaiterFailed(now: start, delay: { _ in .seconds(1) })
        #expect(state.size == 0)
    }

    @Test func waitersLeaveOnTimeoutCancellationAndClose() {
        var state = State(maxConnections: 1, healthCheckAfter: .seconds(30))
        var discard: [Connection] = []
        _ = lease(&state, 1, discard: &discard)
        _ = state.opened(Connection())
        _ = lease(&state, 2, discard: &discard)
        _ = lease(&state, 3, discard: &discard)
        let removed = state.removeWaiter(id: 2), again = state.removeWaiter(id: 2)
        #expect(removed == "w2" && again == nil)
        let (waiters, idle) = state.close()
        #expect(waiters == ["w3"] && idle.isEmpty)
        guard case .fail(let error) = lease(&state, 4, discard: &discard) else { Issue.record("closed"); return }
        #expect(error.kind == .closed)
        guard case .close = state.release(Connection(), usable: true, now: start) else { Issue.record("released after close: closed"); return }
    }
}
