import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import TestSupport
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

    /// A task on the loop's executor that spins on `Task.yield()` forever must not keep the loop's
    /// other tasks from running: here the one that stops it. (The first version drained without a
    /// bound and this test hung.)
    @Test(.hangLimit) func aSpinningTaskDoesNotStarveTheLoop() async {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let executor = EventLoopTaskExecutor(loop)
        let stop = NIOLockedValueBox(false)
        let spins = NIOLockedValueBox(0)
        let spinner = Task(executorPreference: executor) {
            while !stop.withLockedValue({ $0 }) {
                spins.withLockedValue { $0 += 1 }
                await Task.yield()
            }
        }
        while spins.withLockedValue({ $0 }) < 1_000 { await Task.yield() }
        // An ordinary event-loop task, queued behind the spinner's jobs.
        try? await loop.submit { stop.withLockedValue { $0 = true } }.get()
        await spinner.value
        #expect(stop.withLockedValue { $0 })
    }

    /// Bounded runs lose and reorder nothing: 10,000 elements through batches of 7.
    @Test func batchesKeepOrder() async {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let inbox = EventLoopInbox<Int>(loop, batch: 7)
        let seen = NIOLockedValueBox([Int]())
        let (finished, finish) = AsyncStream<Void>.makeStream()
        inbox.start { element in
            let count = seen.withLockedValue { $0.append(element); return $0.count }
            if count == 10_000 { finish.finish() }
        }
        for element in 0..<10_000 { inbox.submit(element) }
        for await _ in finished {}
        #expect(seen.withLockedValue { $0 } == Array(0..<10_000))
    }
}
