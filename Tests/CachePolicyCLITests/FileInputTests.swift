import CachePolicyCLI
import Foundation
import TestSupport
import Testing

/// The built `cachepolicy` executable, for tests that need a separate process (signals, another user).
let builtCLI = packageRoot + "/.build/debug/cachepolicy"

/// Runs a process to completion (awaited: no test thread waits) and returns its exit status and output.
@discardableResult
func runProcess(_ executable: String, _ arguments: [String]) async throws -> (status: Int32, out: String, err: String) {
    let run = try await ChildProcess.run(executable: executable, arguments)
    return (run.status, run.output, run.errors)
}

/// Starts a process with no signal blocked and stdout/stderr to /dev/null; returns its pid. Test
/// threads (Swift's cooperative pool) block signals, and `Process` would pass that mask on.
func spawnWithSignalsUnblocked(_ executable: String, _ arguments: [String]) throws -> pid_t {
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var empty = sigset_t()
    sigemptyset(&empty)
    posix_spawnattr_setsigmask(&attributes, &empty)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    let result = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
    guard result == 0 else { throw POSIXError(POSIXErrorCode(rawValue: result) ?? .EINVAL) }
    return pid
}

/// Waits for a child started by ``spawnWithSignalsUnblocked(_:_:)`` to exit and reaps it, polling
/// (no test thread blocks in `waitpid`); returns its raw wait status.
func exitStatus(of pid: pid_t) async throws -> Int32 {
    while true {
        var status: Int32 = 0
        let reaped = waitpid(pid, &status, WNOHANG)
        if reaped == pid { return status }
        guard reaped == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .ECHILD) }
        try await Task.sleep(for: .milliseconds(10))
    }
}

/// Runs the CLI as an unprivileged user when the tests run as root (root reads any folder, so an
/// unreadable folder can only be tested as someone else); in-process otherwise.
func runUnprivileged(_ arguments: [String]) async throws -> (status: Int32, out: String, err: String) {
    guard getuid() == 0 else {
        let run = CapturedRun()
        return (run.run(arguments), run.out, run.err)
    }
    return try await runProcess("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", builtCLI] + arguments)
}

@Suite("Reading policy files: only regular files, and every failure explained")
struct FileInputTests {
    @Test func aFIFONamedDirectlyIsRefusedNotReadForever() throws {
        let folder = try TemporaryPolicies(["policies/shop.yaml": cleanPolicy])
        defer { folder.remove() }
        let fifo = folder.path + "/pipe.yaml"
        #expect(mkfifo(fifo, 0o644) == 0)
        let run = CapturedRun()
        #expect(run.run(["lint", fifo]) == 2)
        #expect(run.err.contains("cannot read \(fifo): it is a FIFO (named pipe), not a regular file"), "\(run.err)")
    }

    @Test func aFIFOInAScannedFolderIsSkippedAndSaidSo() throws {
        let folder = try TemporaryPolicies(["policies/shop.yaml": cleanPolicy])
        defer { folder.remove() }
        #expect(mkfifo(folder.path + "/policies/pipe.yaml", 0o644) == 0)
        let run = CapturedRun()
        #expect(run.run(["lint", folder.path + "/policies"]) == 0)
        #expect(run.err.contains("skipped \(folder.path)/policies/pipe.yaml: it is a FIFO (named pipe), not a regular file"), "\(run.err)")
        #expect(run.out.contains("1 file checked"))
    }

    @Test func unreadableFoldersAreIOErrors() async throws {
        let folder = try TemporaryPolicies(["policies/shop.yaml": cleanPolicy, "policies/more/orders.yaml": cleanPolicy])
        defer {
            chmod(folder.path + "/policies/more", 0o755)
            chmod(folder.path + "/policies", 0o755)
            folder.remove()
        }
        chmod(folder.path, 0o755)
        chmod(folder.path + "/policies/shop.yaml", 0o644)
        chmod(folder.path + "/policies/more", 0o000)
        let sub = try await runUnprivileged(["lint", folder.path + "/policies"])
        #expect(sub.status == 2, "an unreadable subfolder is not skipped silently: \(sub)")
        #expect(sub.err.contains("cannot read the folder \(folder.path)/policies/more: permission denied"), "\(sub.err)")
        chmod(folder.path + "/policies", 0o000)
        let top = try await runUnprivileged(["lint", folder.path + "/policies"])
        #expect(top.status == 2)
        #expect(top.err.contains("cannot read the folder \(folder.path)/policies: permission denied"), "not 'no policy files': \(top.err)")
    }

    @Test func symbolicLinksThatLeadNowhere() throws {
        let folder = try TemporaryPolicies(["policies/shop.yaml": cleanPolicy])
        defer { folder.remove() }
        let loop = folder.path + "/loop.yaml"
        symlink(loop, loop)
        let looped = CapturedRun()
        #expect(looped.run(["lint", loop]) == 2)
        #expect(looped.err.contains("too many levels of symbolic links"), "\(looped.err)")
        let dangling = folder.path + "/policies/gone.yaml"
        symlink(folder.path + "/nowhere.yaml", dangling)
        let run = CapturedRun()
        #expect(run.run(["lint", folder.path + "/policies"]) == 2)
        #expect(run.err.contains("cannot read \(dangling): it is a symbolic link to '\(folder.path)/nowhere.yaml', which does not exist"), "\(run.err)")
    }

    @Test func messagesNeverShowFoundationInternals() throws {
        let folder = try TemporaryPolicies(["policies/shop.yaml": cleanPolicy, "file": "x"])
        defer { folder.remove() }
        let intoFile = CapturedRun()
        #expect(intoFile.run(["generate", folder.path + "/policies", "--output", folder.path + "/file/sub"]) == 2)
        #expect(intoFile.err.contains("is a file, not a folder"), "\(intoFile.err)")
        let asOutput = CapturedRun()
        #expect(asOutput.run(["generate", folder.path + "/policies", "--output", folder.path + "/file"]) == 2)
        #expect(asOutput.err.contains("the output folder \(folder.path)/file is a file"), "\(asOutput.err)")
        try FileManager.default.createDirectory(atPath: folder.path + "/dir.yaml", withIntermediateDirectories: false)
        let dirNamedYAML = CapturedRun()
        #expect(dirNamedYAML.run(["lint", folder.path + "/dir.yaml"]) == 2)
        #expect(dirNamedYAML.err.contains("no policy files (*.yaml, *.yml) in \(folder.path)/dir.yaml"), "\(dirNamedYAML.err)")
        for run in [intoFile, asOutput, dirNamedYAML] { #expect(!run.err.contains("NSCocoaErrorDomain") && !run.err.contains("error 2")) }
    }

    @Test func theLargestFileSizeLimitDoesNotOverflow() throws {
        let folder = try TemporaryPolicies(["policies/shop.yaml": cleanPolicy])
        defer { folder.remove() }
        let run = CapturedRun()
        #expect(run.run(["lint", "--max-file-size", "\(Int.max)", folder.path + "/policies"]) == 0, "\(run.err)")
    }

    @Test func aHugeLineIsClippedAroundTheColumn() throws {
        // A 2 MB policy on one line (flow style) with an unknown field near the end.
        let filler = (0..<40_000).map { "p\($0): string" }.joined(separator: ", ")
        let text = "{version: 1, service: shop, params: {\(filler)}, nonsense: 1}\n"
        let folder = try TemporaryPolicies(["shop.yaml": text])
        defer { folder.remove() }
        let run = CapturedRun()
        #expect(run.run(["lint", "--max-file-size", "4000000", "--max-diagnostics", "3", folder.path + "/shop.yaml"]) == 1)
        let snippets = run.out.split(separator: "\n").filter { $0.hasPrefix(" 1 | ") }
        #expect(snippets.count == 3)
        #expect(snippets.allSatisfy { $0.count < 140 }, "the quoted line is clipped")
        #expect(snippets.allSatisfy { $0.hasSuffix("…") }, "and says so")
        #expect(run.out.utf8.count < 10_000, "not the whole line once per diagnostic")
        #expect(run.err.contains("more diagnostics not shown (--max-diagnostics 3;"))
    }
}
