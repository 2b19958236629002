import Foundation
import RESP
import RedisTestSupport
import Testing

/// The key → slot mapping of Redis Cluster, checked against the reference values of the cluster
/// specification and against a real server's `CLUSTER KEYSLOT`.
@Suite("Hash slots")
struct HashSlotTests {
    @Test func knownSlots() {
        // CRC16-XMODEM of "123456789" is 0x31C3 (the specification's check value).
        #expect(HashSlot.of("123456789") == 0x31C3 & 0x3FFF)
        #expect(HashSlot.of("foo") == 12182 && HashSlot.of("bar") == 5061)
        // Hash tags: the first {…} with something inside.
        #expect(HashSlot.of("{user1000}.following") == HashSlot.of("{user1000}.followers"))
        #expect(HashSlot.of("foo{}{bar}") == HashSlot.of("foo{}{bar}") && HashSlot.of("foo{}{bar}") != HashSlot.of("bar"), "an empty tag means the whole key")
        #expect(HashSlot.of("foo{{bar}}zap") == HashSlot.of("{bar"))
        #expect(HashSlot.of("foo{bar}{zap}") == HashSlot.of("bar"))
        #expect(HashSlot.of("") == 0)
    }

    @Test func agreesWithRedis() async throws {
        // A single cluster-enabled node answers CLUSTER KEYSLOT; its nodes file goes to a temporary folder.
        let folder = NSTemporaryDirectory() + "cachepolicy-slots-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await withRedisServer(["--cluster-enabled", "yes", "--dir", folder]) { server in
            let connection = try await RedisConnection.connect(server.configuration)
            var generator = SystemRandomNumberGenerator()
            var keys = ["", "{", "}", "{}", "{}x", "a{b}c", "a{}b{c}", "payment:recent:3f2b8c1e-9a4d-4e2b-8f1a-0c6d5e4b3a21", "#tag:{user:1}:x", "ünïcode{ß}"]
            for _ in 0..<300 {
                let length = Int.random(in: 0...24, using: &generator)
                keys.append(String((0..<length).map { _ in "ab{}:xyz0123".randomElement(using: &generator)! }))
            }
            let replies = try await connection.pipeline(keys.map { RESPCommand("CLUSTER", "KEYSLOT", $0) })
            for (key, reply) in zip(keys, replies) {
                #expect(reply.int.map(Int.init) == HashSlot.of(key), "\(key)")
            }
            await connection.close()
        }
    }
}
