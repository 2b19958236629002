import Foundation
import NIOConcurrencyHelpers
import RESP

/// A real `redis-server` process on a loopback port, started and stopped by a test.
public final class RedisServer: Sendable {
    public let port: Int
    public let arguments: [String]
    /// A configuration file given first (Sentinel needs one it can rewrite).
    public let configFile: String?
    private let process: NIOLockedValueBox<Process?>

    private init(port: Int, arguments: [String], configFile: String?, process: Process) {
        self.port = port
        self.arguments = arguments
        self.configFile = configFile
        self.process = NIOLockedValueBox(process)
    }

    public var configuration: RedisConfiguration { RedisConfiguration(host: "127.0.0.1", port: port) }

    /// Ports handed out in this test process: consecutive from a random base, so two servers of
    /// one run never pick the same port (random picks collided often enough, with a hundred servers
    /// alive at once, that a test could end up talking to, or killing, another test's server), and
    /// below the kernel's ephemeral range (32768 and up on Linux): a client socket can be given a
    /// server's port as its own, and then a connect to that port can even reach itself.
    private static let nextPort = NIOLockedValueBox(Int.random(in: 10_000..<30_000))

    private static func takePort() -> Int {
        nextPort.withLockedValue { port in
            defer { port = port >= 32_000 ? 10_000 : port + 1 }
            return port
        }
    }

    /// A port no other server of this test process gets (for a second listener, e.g. `--tls-port`).
    public static func freePort() -> Int { takePort() }

    /// Starts a server with persistence off on a free loopback port, waiting until it answers.
    public static func start(_ arguments: [String] = [], configFile: String? = nil) async throws -> RedisServer {
        var lastError: (any Error)?
        for _ in 0..<20 {
            // A cancelled test (a time limit) starts nothing more.
            try Task.checkCancellation()
            let port = takePort()
            let server: RedisServer
            do {
                let process = try launch(port: port, arguments: arguments, configFile: configFile)
                server = RedisServer(port: port, arguments: arguments, configFile: configFile, process: process)
            } catch {
                lastError = error
                continue
            }
            do {
                try await server.waitUntilReady()
                return server
            } catch {
                // Never leave a server nobody will stop: it would outlive the test process.
                server.stop()
                if error is CancellationError { throw error }
                lastError = error
            }
        }
        throw lastError ?? RedisConnectionError(.connectFailed, "could not start redis-server")
    }

    /// The server's working folder, unless the test gives `--dir`: a replica writes the RDB it
    /// receives there, and a cluster node its nodes.conf, so never into the current folder.
    private static func workingFolder(port: Int, arguments: [String]) -> String? {
        arguments.contains("--dir") ? nil : NSTemporaryDirectory() + "cachepolicy-redis-\(getpid())-\(port)"
    }

    private static func launch(port: Int, arguments: [String], configFile: String? = nil) throws -> Process {
        var arguments = arguments
        if let folder = workingFolder(port: port, arguments: arguments) {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            arguments += ["--dir", folder]
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["redis-server"] + (configFile.map { [$0] } ?? []) + [
            "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--daemonize", "no", "--loglevel", "warning", "--logfile", "",
        ] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    private func waitUntilReady() async throws {
        // A server answers within milliseconds; the margin is for a machine loaded by the suite.
        let deadline = ContinuousClock.now + .seconds(15)
        var configuration = configuration
        configuration.connectTimeout = .milliseconds(200)
        configuration.preferRESP3 = false
        while ContinuousClock.now < deadline {
            guard process.withLockedValue({ $0?.isRunning ?? false }) else {
                throw RedisConnectionError(.connectFailed, "redis-server exited (port \(port) in use?)")
            }
            if let connection = try? await RedisConnection.connect(configuration) {
                // Any reply, even NOAUTH from a server that requires a password, means it is up;
                // `INFO server` (when allowed) proves it is our process, not another one's on the port.
                let replies = try? await connection.pipeline([RESPCommand("PING"), RESPCommand("INFO", "server")])
                await connection.close()
                // A real server answers PONG, or NOAUTH when it wants a password; anything else
                // (a socket that connected to itself echoes the command back) is not a server.
                let answered: Bool
                switch replies?.first {
                case .simpleString("PONG")?: answered = true
                case .error(let message)?: answered = message.hasPrefix("NOAUTH")
                default: answered = false
                }
                if let replies, answered {
                    let ours = process.withLockedValue { $0?.processIdentifier }
                    if let info = replies[1].string,
                       let line = info.split(whereSeparator: \.isNewline).first(where: { $0.hasPrefix("process_id:") }),
                       Int32(line.dropFirst("process_id:".count)) != ours {
                        stop()
                        throw RedisConnectionError(.connectFailed, "port \(port) belongs to another redis-server")
                    }
                    return
                }
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        stop()
        throw RedisConnectionError(.connectFailed, "redis-server did not answer on port \(port)")
    }

    /// Stops the server (always with SIGKILL, like a crash: persistence is off) and waits for it to exit.
    public func stop() {
        guard let running = process.withLockedValue({ process -> Process? in
            defer { process = nil }
            return process
        }) else { return }
        let pid = running.processIdentifier
        defer { Self.workingFolder(port: port, arguments: arguments).map { try? FileManager.default.removeItem(atPath: $0) } }
        // Persistence is off, so SIGKILL loses nothing; SIGTERM would wait for a graceful shutdown.
        kill(pid, SIGKILL)
        // Not Process.waitUntilExit(): it spins a run loop, which hangs on a concurrency thread.
        for attempt in 0..<500 {
            var status: Int32 = 0
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid || (reaped == -1 && errno == ECHILD) || !running.isRunning { return }
            if attempt == 300 { kill(pid, SIGKILL) }
            usleep(10_000)
        }
    }

    /// Starts the server again on the same port, as after a crash and restart.
    public func restart() async throws {
        stop()
        let process = try Self.launch(port: port, arguments: arguments, configFile: configFile)
        self.process.withLockedValue { $0 = process }
        try await waitUntilReady()
    }
}

/// Runs `body` with a fresh server, stopping it afterwards even when `body` throws.
public func withRedisServer<T>(_ arguments: [String] = [], _ body: (RedisServer) async throws -> T) async throws -> T {
    let server = try await RedisServer.start(arguments)
    do {
        let result = try await body(server)
        server.stop()
        return result
    } catch {
        server.stop()
        throw error
    }
}
