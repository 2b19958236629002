import NIOCore
import Testing
@testable import RESP

/// The connection's request state machine, without I/O: continuations are plain strings.
@Suite("Request queue state machine")
struct RequestQueueTests {
    typealias Queue = RequestQueue<String, String>
    let now = NIODeadline.uptimeNanoseconds(1_000)

    func reply(_ text: String) -> RESPValue { .simpleString(text) }

    @Test func repliesGoToCallersInOrderAndBatchesCollect() {
        var queue = Queue()
        queue.enqueue("a", id: 1, at: now)
        queue.enqueue("b", expected: 2, id: 2, at: now + .seconds(1))
        queue.enqueue("c", id: 3, at: now + .seconds(2))
        #expect(queue.oldestSentAt == now)
        guard case .resumeSingle("a", reply("1")) = queue.received(reply("1")) else { Issue.record("a gets the first reply"); return }
        #expect(queue.oldestSentAt == now + .seconds(1))
        guard case .none = queue.received(reply("2")) else { Issue.record("collected for b"); return }
        guard case .resumeBatch("b", let replies) = queue.received(reply("3")) else { Issue.record("b gets both"); return }
        #expect(replies == [reply("2"), reply("3")])
        guard case .resumeSingle("c", _) = queue.received(reply("4")) else { Issue.record("c"); return }
        guard case .unsolicited = queue.received(reply("5")) else { Issue.record("nobody asked"); return }
    }

    /// A cancelled request keeps its place: its replies are read and dropped, the next caller
    /// still gets its own reply, also when the batch was cancelled halfway through its replies.
    @Test func cancelledRequestsKeepTheirPlace() {
        var queue = Queue()
        queue.enqueue("batch", expected: 3, id: 1, at: now)
        queue.enqueue("single", id: 2, at: now)
        queue.enqueue("last", id: 3, at: now)
        guard case .none = queue.received(reply("b1")) else { Issue.record("collected"); return }
        guard case .failBatch("batch") = queue.cancel(id: 1) else { Issue.record("the batch caller is resumed"); return }
        guard case .none = queue.cancel(id: 1) else { Issue.record("cancelled once"); return }
        guard case .failSingle("single") = queue.cancel(id: 2) else { Issue.record("single"); return }
        guard case .none = queue.received(reply("b2")) else { Issue.record("dropped"); return }
        guard case .none = queue.received(reply("b3")) else { Issue.record("dropped"); return }
        guard case .none = queue.received(reply("s")) else { Issue.record("dropped"); return }
        guard case .resumeSingle("last", reply("l")) = queue.received(reply("l")) else { Issue.record("last gets its own"); return }
        #expect(queue.isEmpty)
        guard case .none = queue.cancel(id: 3) else { Issue.record("answered already"); return }
    }

    /// An abandoned request still counts for the timeout: its reply may never come.
    @Test func abandonedRequestsStillTimeOut() {
        var queue = Queue()
        queue.enqueue("a", id: 1, at: now)
        queue.enqueue("b", id: 2, at: now + .seconds(5))
        _ = queue.cancel(id: 1)
        #expect(queue.oldestSentAt == now)
        let all = queue.removeAll()
        #expect(all.count == 2 && queue.isEmpty && queue.oldestSentAt == nil)
        guard case .unsolicited = queue.received(reply("x")) else { Issue.record("empty after close"); return }
    }
}
