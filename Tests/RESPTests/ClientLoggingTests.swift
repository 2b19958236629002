import Logging
import NIOConcurrencyHelpers
import RESP
import RedisTestSupport
import TestSupport
import Testing

/// The client logs failed connects and reconnects through swift-log, never its credentials.
@Suite("Client logging (real redis-server)", .hangLimit)
struct ClientLoggingTests {
    @Test func connectsFailuresAndReconnectsAreLoggedWithoutCredentials() async throws {
        try await withRedisServer(["--requirepass", "s3cret-pw"]) { server in
            let log = LogCollector()
            var configuration = server.configuration
            configuration.password = "s3cret-pw"
            let client = RedisClient(
                configuration, reconnectPolicy: ReconnectPolicy(initialDelay: .milliseconds(20), maxDelay: .milliseconds(50)),
                logger: log.logger)
            #expect(try await client.send(RESPCommand("PING")) == .simpleString("PONG"))
            server.stop()
            _ = try? await client.send(RESPCommand("PING"))
            _ = try? await client.send(RESPCommand("PING"))
            try await server.restart()
            var back = false
            for _ in 0..<100 where !back {
                back = (try? await client.send(RESPCommand("PING"))) != nil
                if !back { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(back)
            await client.shutdown()
            let logged = log.lines
            #expect(logged.contains { $0.hasPrefix("info connected to Redis") && $0.contains("failedAttempts=0") })
            #expect(logged.contains { $0.hasPrefix("warning cannot connect to Redis") && $0.contains("failedAttempts=1") })
            #expect(logged.contains { $0.hasPrefix("info connected to Redis") && !$0.contains("failedAttempts=0") }, "the reconnect, after failures")
            #expect(!logged.contains { $0.contains("s3cret-pw") }, "no credentials in any message")
        }
    }
}
