import NIOCore
import NIOPosix
import RESP
import Testing

/// A peer that accepts and closes at once (a server dying right after accepting): every connect
/// fails with a connection error, whichever setup step notices first.
@Suite("Connect failures during setup")
struct SetupFailureTests {
    @Test func aPeerThatClosesAtOnceIsAConnectionError() async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in channel.close() }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(server.localAddress?.port)
        for _ in 0..<50 {
            do {
                _ = try await RedisConnection.connect(RedisConfiguration(host: "127.0.0.1", port: port, connectTimeout: .seconds(1), commandTimeout: .seconds(1)))
                Issue.record("connected to a peer that closes")
            } catch {
                #expect(error is RedisConnectionError, "\(type(of: error)): \(error)")
            }
        }
        try await server.close()
    }
}
