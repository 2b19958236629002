import Foundation
import NIOConcurrencyHelpers
import RedisTestSupport
import TestSupport
import Testing

/// The harness the runtime's tests stand on: child processes are awaited without holding one of
/// the cooperative pool's threads (one per core: a few blocked waits stall every other test of the
/// process), cancelling a child's awaiting task kills it, and a cancelled server start leaves no
/// `redis-server` running.
@Suite("Test harness")
struct TestHarnessTests {
    @Test func aChildsInputOutputErrorsAndStatusComeBack() async throws {
        let run = try await ChildProcess.run(["sh", "-c", "cat; echo oops >&2; exit 3"], input: "hello\n")
        #expect(run.status == 3)
        #expect(run.output == "hello\n")
        #expect(run.errors == "oops\n")
        let merged = try await ChildProcess.run(["sh", "-c", "echo out; echo err >&2"], mergingErrors: true)
        #expect(merged.output == "out\nerr\n" && merged.errors.isEmpty)
        await #expect(throws: (any Error).self) { try await ChildProcess.run(executable: "/nonexistent/tool", []) }
    }

    /// More children than the pool has threads, each running far longer than the test: if awaiting
    /// one held a thread, this test's own task could not run until they ended.
    @Test func awaitingChildrenHoldsNoThreadAndCancellingKillsThem() async throws {
        let count = 2 * ProcessInfo.processInfo.activeProcessorCount + 1
        let ended = NIOLockedValueBox(0)
        let children = Task {
            try await withThrowingTaskGroup(of: Int32.self) { group in
                for _ in 0..<count {
                    group.addTask {
                        defer { ended.withLockedValue { $0 += 1 } }
                        return try await ChildProcess.run(["sleep", "60"]).status
                    }
                }
                return try await group.reduce(into: [Int32]()) { $0.append($1) }
            }
        }
        for _ in 0..<5 { try await Task.sleep(for: .milliseconds(20)) }
        #expect(ended.withLockedValue { $0 } == 0, "this task ran while every child was still running")
        children.cancel()
        let statuses = try await children.value
        #expect(statuses == Array(repeating: SIGKILL, count: count), "cancelling killed each child")
    }

    /// A start cancelled at any moment (a test's time limit) stops the server it launched, rather
    /// than retrying and leaving servers nobody stops.
    @Test func aCancelledStartLeavesNoServerRunning() async throws {
        // The servers' working folder marks them: redis-server rewrites its command line, not its cwd.
        let folder = NSTemporaryDirectory() + "cachepolicy-cancelled-start-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for delay in [0, 1, 3, 10, 30] {
            let start = Task { try await RedisServer.start(["--dir", folder]) }
            try await Task.sleep(for: .milliseconds(delay))
            start.cancel()
            // A start that finished before the cancel returns its server: stopping it is the caller's job.
            if let server = try? await start.value { server.stop() }
        }
        let running = try FileManager.default.contentsOfDirectory(atPath: "/proc").filter { entry in
            entry.allSatisfy(\.isNumber) && (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(entry)/cwd")) == folder
        }
        #expect(running.isEmpty, "redis-server processes left running: \(running)")
    }
}
