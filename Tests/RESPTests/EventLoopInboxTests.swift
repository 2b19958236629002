import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing
@testable import RESP

@Suite("Event-loop inbox and task executor")
struct EventLoopInboxTests {
    /// Elements submitted from many threads at once are all processed, on the event loop, each
    /// thread's in the order it submitted them.
    @Test func everythingArrivesInOrderOnTheLoop() async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let inbox = EventLoopInbox<(sender: Int, sequence: Int)>(loop)
        let seen = NIOLockedValueBox([Int: [Int]]())
        let offLoop = NIOLockedValueBox(0)
        let (finished, finish) = AsyncStream<Void>.makeStream()
        let senders = 8, perSender = 2_000
        inbox.start { element in
            if !loop.inEventLoop { offLoop.withLockedValue { $0 += 1 } }
            let total = seen.withLockedValue { seen in
                seen[element.sender, default: []].append(element.sequence)
                return seen.values.reduce(0) { $0 + $1.count }
            }
            if total == senders * perSender { finish.finish() }
        }
        await withTaskGroup(of: Void.self) { group in
            for sender in 0..<senders {
                group.addTask { for sequence in 0..<perSender { inbox.submit((sender, sequence)) } }
            }
        }
        for await _ in finished {}
        #expect(offLoop.withLockedValue { $0 } == 0)
        let orders = seen.withLockedValue { $0 }
        #expect(orders.count == senders)
        for (sender, sequence) in orders { #expect(sequence == Array(0..<perSender), "sender \(sender)") }
    }

    /// Tasks preferring the executor, and their children, run on its event loop.
    @Test func tasksPreferringTheExecutorRunOnTheLoop() async {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let executor = EventLoopTaskExecutor(loop)
        let onLoop = await withTaskExecutorPreference(executor) {
            await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<50 {
                    group.addTask {
                        await Task.yield()
                        return loop.inEventLoop
                    }
                }
                return await group.reduce(loop.inEventLoop) { $0 && $1 }
            }
        }
        #expect(onLoop)
    }
}
