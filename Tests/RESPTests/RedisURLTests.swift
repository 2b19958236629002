import RESP
import RedisTestSupport
import Testing

@Suite("Redis URLs")
struct RedisURLTests {
    @Test func urlsBecomeConfigurations() throws {
        let plain = try RedisConfiguration(url: "redis://cache.internal")
        #expect(plain.host == "cache.internal" && plain.port == 6379 && plain.database == 0 && plain.username == nil && plain.password == nil)
        let full = try RedisConfiguration(url: "redis://payments:s3cr%40t%3A1@10.0.0.7:6380/3")
        #expect(full.host == "10.0.0.7" && full.port == 6380 && full.database == 3)
        #expect(full.username == "payments" && full.password == "s3cr@t:1")
        let passwordOnly = try RedisConfiguration(url: "redis://:pw@localhost/")
        #expect(passwordOnly.username == nil && passwordOnly.password == "pw" && passwordOnly.database == 0)
        let ipv6 = try RedisConfiguration(url: "REDIS://[::1]:7000#fragment")
        #expect(ipv6.host == "::1" && ipv6.port == 7000 && ipv6.tls == nil)
        let tls = try RedisConfiguration(url: "rediss://cache.internal:6380?ca=/etc/ssl/ca%20file.pem&cert=/c.pem&key=/k.pem&server-name=redis.internal")
        #expect(tls.tls == TLSSettings(caFile: "/etc/ssl/ca file.pem", certificateFile: "/c.pem", keyFile: "/k.pem", serverName: "redis.internal"))
        #expect(tls.description == "rediss://cache.internal:6380/0")
        #expect(try RedisConfiguration(url: "rediss://h").tls == TLSSettings(), "system trust roots, the host's name")
    }

    @Test func badURLsSayWhy() {
        let cases = [
            "localhost:6379": "no scheme", "http://h": "the scheme 'http'", "redis://h?ca=/x.pem": "'ca' is a TLS setting: use rediss://",
            "rediss://h?verify=no": "unknown query parameter 'verify'", "rediss://h?ca": "'ca' has no valid value",
            "redis://h:0": "port", "redis://h:99999": "port", "redis://h:x": "port", "redis:///": "no host", "redis://h/db": "database number",
            "redis://u:%zz@h": "password", "redis://[::1": "']'",
        ]
        for (url, reason) in cases {
            do {
                _ = try RedisConfiguration(url: url)
                Issue.record("\(url) was accepted")
            } catch {
                #expect("\(error)".contains(reason), "\(url): \(error)")
            }
        }
    }

    /// A URL with a user and password authenticates against a server that requires them.
    @Test func urlCredentialsAuthenticate() async throws {
        try await withRedisServer(["--requirepass", "p@ss"]) { server in
            let configuration = try RedisConfiguration(url: "redis://default:p%40ss@127.0.0.1:\(server.port)/2")
            let connection = try await RedisConnection.connect(configuration)
            try await connection.send(RESPCommand("SET", "k", "v"))
            #expect(try await connection.send(RESPCommand("CLIENT", "INFO")).string?.contains("db=2") == true)
            await connection.close()
        }
    }
}
