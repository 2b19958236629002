import Logging
import RESP
import RedisTestSupport
import TestSupport
import Testing

/// Credentials never appear in descriptions, errors or logs (a test greps them).
@Suite("Credentials (real redis-server)", .hangLimit)
struct CredentialTests {
    static let password = "pw-" + String(UInt64.random(in: 1...UInt64.max), radix: 36) + "-secret"

    @Test func descriptionsMaskThePassword() throws {
        let configuration = try RedisConfiguration(url: "redis://svc-user:\(Self.password)@cache.internal:6380/2")
        #expect(configuration.password == Self.password && configuration.username == "svc-user")
        var dumped = ""
        dump(configuration, to: &dumped)
        let shown = ["\(configuration)", String(reflecting: configuration), dumped, "\([configuration])"]
        for text in shown { #expect(!text.contains(Self.password), "\(text)") }
        #expect("\(configuration)" == "redis://svc-user:***@cache.internal:6380/2")
        #expect(RedisConfiguration(host: "::1", port: 7000).description == "redis://[::1]:7000/0")
        #expect(RedisConfiguration.redacted("redis://u:\(Self.password)@h:1") == "redis://u:***@h:1")
    }

    @Test func urlErrorsMaskThePassword() {
        for url in ["redis://u:\(Self.password)@host:99999", "redis://u:\(Self.password)@/0", "redis://u:\(Self.password)@host/x"] {
            do {
                _ = try RedisConfiguration(url: url)
                Issue.record("\(url) parsed")
            } catch {
                #expect(!"\(error)".contains(Self.password), "\(error)")
                #expect("\(error)".contains("u:***@"), "\(error)")
            }
        }
    }

    @Test func failedConnectsNeitherThrowNorLogThePassword() async throws {
        try await withRedisServer(["--requirepass", "the-right-one"]) { server in
            let log = LogCollector()
            var wrong = server.configuration
            wrong.username = "default"
            wrong.password = Self.password
            let client = RedisClient(wrong, reconnectPolicy: ReconnectPolicy(initialDelay: .milliseconds(10)), logger: log.logger)
            await #expect(throws: (any Error).self) { try await client.send(RESPCommand("PING")) }
            do {
                _ = try await RedisConnection.connect(wrong)
            } catch {
                #expect(!"\(error)".contains(Self.password) && !String(reflecting: error).contains(Self.password))
            }
            server.stop()
            _ = try? await client.send(RESPCommand("PING"))
            await client.shutdown()
            let lines = log.lines
            #expect(!lines.isEmpty)
            for line in lines { #expect(!line.contains(Self.password), "\(line)") }
        }
    }
}

