import Foundation

/// A child process (openssl, swiftc, redis-cli, the built CLI …) run to its end from a test
/// without holding a thread while it runs.
///
/// Tests run on Swift's cooperative pool, which has one thread per core: two on a small CI
/// machine. `Process.waitUntilExit()` or a blocking pipe read holds one of them for as long as the
/// child runs, and two such waits at once stall every other test of the process (the TLS suite's
/// openssl runs did, until suites that were only waiting for a thread hit their time limits). So
/// the exit is awaited through `terminationHandler`, and the child writes its output to temporary
/// files read once it has exited (no pipe to drain, so no deadlock on a full one). Cancelling the
/// awaiting task (a test's time limit) kills the child.
public enum ChildProcess {
    /// How a child ended and what it printed.
    public struct Outcome: Sendable {
        /// The exit status, or the signal's number when a signal ended it.
        public var status: Int32
        /// Standard output (with standard error when the run merged them).
        public var output: String
        /// Standard error, unless merged into `output`.
        public var errors: String
    }

    /// Runs `arguments` (the first is looked up on `PATH`), with `input` as its standard input
    /// (empty without), in `folder` (the current one without), and waits for its exit.
    public static func run(
        _ arguments: [String], input: String? = nil, in folder: String? = nil, mergingErrors: Bool = false
    ) async throws -> Outcome {
        try await run(executable: "/usr/bin/env", arguments, input: input, in: folder, mergingErrors: mergingErrors)
    }

    /// Runs `executable` with `arguments`; see ``run(_:input:in:mergingErrors:)``.
    public static func run(
        executable: String, _ arguments: [String], input: String? = nil, in folder: String? = nil, mergingErrors: Bool = false
    ) async throws -> Outcome {
        let scratch = NSTemporaryDirectory() + "cachepolicy-child-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        func handle(_ name: String, contents: String = "", forWriting: Bool) throws -> FileHandle {
            let path = scratch + "/" + name
            try contents.write(toFile: path, atomically: false, encoding: .utf8)
            return forWriting ? try FileHandle(forWritingTo: URL(fileURLWithPath: path)) : try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        }
        let output = try handle("output", forWriting: true)
        let errors = mergingErrors ? output : try handle("errors", forWriting: true)
        let standardInput = try handle("input", contents: input ?? "", forWriting: false)
        defer { for file in [output, errors, standardInput] { try? file.close() } }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let folder { process.currentDirectoryURL = URL(fileURLWithPath: folder) }
        process.standardInput = standardInput
        process.standardOutput = output
        process.standardError = errors
        // The child's pid once it runs, or 0: cancellation kills it, and a cancellation that comes
        // first (-1) keeps it from starting.
        let child = ChildPid()
        let status: Int32 = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int32, any Error>) in
                process.terminationHandler = { ended in continuation.resume(returning: ended.terminationStatus) }
                let started: (any Error)? = child.withLock { pid in
                    guard pid == 0 else { return CancellationError() }
                    do {
                        try process.run()
                        pid = process.processIdentifier
                        return nil
                    } catch {
                        return error
                    }
                }
                if let started {
                    process.terminationHandler = nil
                    continuation.resume(throwing: started)
                }
            }
        } onCancel: {
            child.withLock { pid in
                if pid > 0 { kill(pid, SIGKILL) }
                pid = -1
            }
        }
        // Reaped: a late cancellation must not signal a pid the system may have given another process.
        child.withLock { $0 = -1 }
        func text(_ name: String) -> String {
            String(decoding: FileManager.default.contents(atPath: scratch + "/" + name) ?? Data(), as: UTF8.self)
        }
        return Outcome(status: status, output: text("output"), errors: mergingErrors ? "" : text("errors"))
    }
}

/// A child's pid behind a lock (`Mutex` needs macOS 15; the package supports 14).
private final class ChildPid: @unchecked Sendable {
    private let lock = NSLock()
    private var pid: pid_t = 0

    func withLock<T>(_ body: (inout pid_t) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&pid)
    }
}
