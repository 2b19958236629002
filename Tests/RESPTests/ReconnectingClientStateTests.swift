import NIOCore
import NIOConcurrencyHelpers
import Testing
@testable import RESP

/// The reconnecting client's transitions, without a server: connections and waiters are plain values.
@Suite("Reconnecting client state machine")
struct ReconnectingClientStateTests {
    final class Connection {
        var open = true
    }
    typealias Machine = ReconnectingClientState<Connection, String>
    let start = ContinuousClock.now

    func request(_ machine: inout Machine, _ id: UInt64, at offset: Duration = .zero) -> Machine.RequestAction {
        machine.request(id: id, waiter: "w\(id)", now: start + offset, isUsable: \.open, describe: "redis")
    }

    @Test func oneAttemptServesEveryoneWhoAsked() {
        var machine = Machine()
        guard case .startConnecting = request(&machine, 1) else { Issue.record("the first caller starts an attempt"); return }
        guard case .wait = request(&machine, 2) else { Issue.record("the second waits for the same attempt"); return }
        let connection = Connection()
        guard case .resume(let waiters, let given) = machine.connectSucceeded(connection) else { Issue.record("resume"); return }
        #expect(waiters == ["w1", "w2"] && given === connection)
        guard case .use(let used) = request(&machine, 3) else { Issue.record("connected: use it"); return }
        #expect(used === connection)
        #expect(machine.current(isUsable: \.open) === connection)
    }

    @Test func aClosedConnectionIsReplaced() {
        var machine = Machine()
        _ = request(&machine, 1)
        let connection = Connection()
        _ = machine.connectSucceeded(connection)
        connection.open = false
        #expect(machine.current(isUsable: \.open) == nil)
        guard case .startConnecting = request(&machine, 2) else { Issue.record("a closed connection starts a new attempt"); return }
    }

    @Test func failuresBackOffAndFailFastMeanwhile() {
        var machine = Machine()
        _ = request(&machine, 1)
        _ = request(&machine, 2)
        #expect(machine.connectFailed(now: start, delay: { .milliseconds(100 * $0) }) == ["w1", "w2"])
        guard case .fail(let error) = request(&machine, 3, at: .milliseconds(40)) else { Issue.record("fail fast while backing off"); return }
        #expect(error.kind == .unavailable)
        #expect(error.message.contains("after 1 failed attempt;") && error.message.contains("next attempt in 60 ms"))
        guard case .startConnecting = request(&machine, 4, at: .milliseconds(100)) else { Issue.record("retry after the delay"); return }
        _ = machine.connectFailed(now: start + .milliseconds(100), delay: { .milliseconds(100 * $0) })
        guard case .fail = request(&machine, 5, at: .milliseconds(250)) else { Issue.record("the second delay is longer"); return }
        guard case .startConnecting = request(&machine, 6, at: .milliseconds(300)) else { Issue.record("retry"); return }
        _ = machine.connectSucceeded(Connection())
        guard case .use = request(&machine, 7, at: .milliseconds(300)) else { Issue.record("success ends the backoff"); return }
    }

    /// The leak of the first version: a connect that completes after shutdown must be closed,
    /// not handed out or forgotten.
    @Test func shutdownDuringAConnectClosesTheNewConnection() {
        var machine = Machine()
        _ = request(&machine, 1)
        _ = request(&machine, 2)
        guard case .failWaiters(let waiters) = machine.shutdown() else { Issue.record("waiters fail on shutdown"); return }
        #expect(waiters == ["w1", "w2"])
        let late = Connection()
        guard case .close(let closed) = machine.connectSucceeded(late) else { Issue.record("the late connection is closed"); return }
        #expect(closed === late)
        guard case .fail(let error) = request(&machine, 3) else { Issue.record("calls after shutdown fail"); return }
        #expect(error.kind == .closed)
        #expect(machine.connectFailed(now: start, delay: { _ in .zero }).isEmpty)
    }

    @Test func shutdownClosesTheCurrentConnection() {
        var machine = Machine()
        _ = request(&machine, 1)
        let connection = Connection()
        _ = machine.connectSucceeded(connection)
        guard case .close(let closed) = machine.shutdown() else { Issue.record("close"); return }
        #expect(closed === connection)
        guard case .none = machine.shutdown() else { Issue.record("a second shutdown does nothing"); return }
    }

    @Test func aCancelledWaiterLeavesTheOthersWaiting() {
        var machine = Machine()
        _ = request(&machine, 1)
        _ = request(&machine, 2)
        _ = request(&machine, 3)
        #expect(machine.cancel(id: 2) == "w2")
        #expect(machine.cancel(id: 2) == nil, "cancelled once")
        guard case .resume(let waiters, _) = machine.connectSucceeded(Connection()) else { Issue.record("resume"); return }
        #expect(waiters == ["w1", "w3"])
        #expect(machine.cancel(id: 1) == nil, "nothing to cancel once connected")
    }
}

@Suite("Reconnect loop")
struct ReconnectLoopTests {
    /// Refused attempts back off ever longer; a session that got established and then dropped
    /// starts again from the initial delay; cancellation ends the loop without reporting it.
    @Test func backoffGrowsWhileRefusedAndResetsAfterAnEstablishedSession() async {
        let policy = ReconnectPolicy(initialDelay: .milliseconds(10), maxDelay: .milliseconds(50), jitter: 0)
        // Sessions: refused ×4, established then dropped, refused, then the loop is cancelled.
        let script: [Bool?] = [false, false, false, false, true, false, nil]
        let step = NIOLockedValueBox(0)
        let delays = NIOLockedValueBox<[Duration]>([])
        let ends = NIOLockedValueBox(0)
        let loop = Task {
            await policy.keepRunning { established in
                let index = step.withLockedValue { value in
                    defer { value += 1 }
                    return value
                }
                guard let reaches = script[index] else {
                    withUnsafeCurrentTask { $0?.cancel() }
                    throw CancellationError()
                }
                if reaches { established() }
                throw RedisConnectionError(.closed, "session \(index) ended")
            } onEnd: { _ in
                ends.withLockedValue { $0 += 1 }
            } sleep: { delay in
                delays.withLockedValue { $0.append(delay) }
            }
        }
        await loop.value
        #expect(delays.withLockedValue { $0 } == [10, 20, 40, 50, 10, 20].map { Duration.milliseconds($0) })
        #expect(ends.withLockedValue { $0 } == 6, "the cancelled session is not reported")
    }
}

/// The subscriber's reading of pushes, without a server: RESP3 pushes and RESP2 arrays alike.
@Suite("Subscriber events")
struct SubscriberEventTests {
    func bulk(_ text: String) -> RESPValue { .bulkString(ByteBuffer(string: text)) }

    @Test func messagesSubscriptionsAndForeignPushes() {
        #expect(RedisSubscriber.event(.push([bulk("message"), bulk("news"), bulk("hi")]))
            == .message(.init(channel: "news", pattern: nil, payload: ByteBuffer(string: "hi"))))
        #expect(RedisSubscriber.event(.array([bulk("pmessage"), bulk("orders:*"), bulk("orders:1"), bulk("new")]))
            == .message(.init(channel: "orders:1", pattern: "orders:*", payload: ByteBuffer(string: "new"))))
        #expect(RedisSubscriber.event(.push([bulk("subscribe"), bulk("news"), .integer(2)])) == .subscribed(count: 2))
        #expect(RedisSubscriber.event(.push([bulk("psubscribe"), bulk("o:*"), .integer(3)])) == .subscribed(count: 3))
        // Not ours: client-tracking invalidations, malformed messages.
        #expect(RedisSubscriber.event(.push([bulk("invalidate"), .array([bulk("k")])])) == nil)
        #expect(RedisSubscriber.event(.push([bulk("message"), bulk("news")])) == nil)
        #expect(RedisSubscriber.event(.push([bulk("message"), bulk("news"), .integer(1)])) == nil)
        #expect(RedisSubscriber.event(.integer(1)) == nil)
    }
}
