import Foundation
import RESP
import RedisTestSupport
import TestSupport
import Testing

/// `rediss://` against `redis-server --tls-port` with certificates the test makes with openssl:
/// a CA, a server certificate for `localhost` only, and a client certificate (mutual TLS).
@Suite("TLS (real redis-server)", .hangLimit)
struct TLSTests {
    final class Certificates: Sendable {
        let folder: String

        private init(folder: String) { self.folder = folder }

        /// A CA, another CA, a server certificate for `localhost` and a client certificate, made
        /// with openssl (awaited, not waited for: RSA keys take seconds on a loaded machine).
        static func make() async throws -> Certificates {
            let certificates = Certificates(folder: NSTemporaryDirectory() + "cachepolicy-tls-\(UUID().uuidString)")
            try FileManager.default.createDirectory(atPath: certificates.folder, withIntermediateDirectories: true)
            for name in ["ca", "other-ca"] {
                try await certificates.openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=\(name)", "-keyout", "\(name).key", "-out", "\(name).pem"])
            }
            try await certificates.issue("server", subject: "/CN=localhost", extensions: "subjectAltName=DNS:localhost")
            try await certificates.issue("client", subject: "/CN=cache-client", extensions: "extendedKeyUsage=clientAuth")
            return certificates
        }

        func issue(_ name: String, subject: String, extensions: String) async throws {
            try await openssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", subject, "-keyout", "\(name).key", "-out", "\(name).csr"])
            try extensions.write(toFile: folder + "/\(name).ext", atomically: true, encoding: .utf8)
            try await openssl(["x509", "-req", "-in", "\(name).csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "1",
                               "-extfile", "\(name).ext", "-out", "\(name).pem"])
        }

        func openssl(_ arguments: [String]) async throws {
            let run = try await ChildProcess.run(["openssl"] + arguments, in: folder, mergingErrors: true)
            guard run.status == 0 else { throw RedisError("openssl \(arguments.first ?? "") failed: \(run.output)") }
        }

        func path(_ file: String) -> String { folder + "/" + file }

        deinit { try? FileManager.default.removeItem(atPath: folder) }
    }

    func withTLSServer(_ certificates: Certificates, _ body: (Int) async throws -> Void) async throws {
        let tlsPort = RedisServer.freePort()
        try await withRedisServer([
            "--tls-port", "\(tlsPort)", "--tls-cert-file", certificates.path("server.pem"), "--tls-key-file", certificates.path("server.key"),
            "--tls-ca-cert-file", certificates.path("ca.pem"), "--tls-auth-clients", "yes",
        ]) { _ in try await body(tlsPort) }
    }

    @Test func connectsWithTheCAAndAClientCertificate() async throws {
        let certificates = try await Certificates.make()
        try await withTLSServer(certificates) { port in
            // The address, with the name the certificate carries.
            let url = "rediss://127.0.0.1:\(port)?ca=\(certificates.path("ca.pem"))&cert=\(certificates.path("client.pem"))&key=\(certificates.path("client.key"))&server-name=localhost"
            let client = RedisClient(try RedisConfiguration(url: url))
            try await client.send(RESPCommand("SET", "over-tls", "yes"))
            #expect(try await client.send(RESPCommand("GET", "over-tls")).string == "yes")
            #expect(try await client.connection().protocolVersion == 3)
            await client.shutdown()
            // By name: the host is the name checked.
            var named = try RedisConfiguration(url: url)
            named.host = "localhost"
            named.tls?.serverName = nil
            let connection = try await RedisConnection.connect(named)
            #expect(try await connection.send(RESPCommand("PING")) == .simpleString("PONG"))
            await connection.close()
        }
    }

    @Test func aWrongCAOrNameOrNoClientCertificateIsRefused() async throws {
        let certificates = try await Certificates.make()
        try await withTLSServer(certificates) { port in
            let client = "&cert=\(certificates.path("client.pem"))&key=\(certificates.path("client.key"))"
            let refused = [
                ("a CA that did not sign the server's certificate", "rediss://127.0.0.1:\(port)?ca=\(certificates.path("other-ca.pem"))" + client),
                ("a name the certificate does not carry", "rediss://127.0.0.1:\(port)?ca=\(certificates.path("ca.pem"))&server-name=redis.example.com" + client),
                ("an address the certificate does not carry", "rediss://127.0.0.1:\(port)?ca=\(certificates.path("ca.pem"))" + client),
                ("no client certificate", "rediss://127.0.0.1:\(port)?ca=\(certificates.path("ca.pem"))&server-name=localhost"),
            ]
            for (what, url) in refused {
                do {
                    let connection = try await RedisConnection.connect(try RedisConfiguration(url: url))
                    _ = try await connection.send(RESPCommand("PING"))
                    Issue.record("connected with \(what)")
                } catch let error as RedisConnectionError {
                    #expect(error.kind == .connectFailed, "\(what): \(error)")
                } catch {
                    Issue.record("\(what): \(type(of: error)) \(error)")
                }
            }
            // Plain TCP to the TLS port gets nowhere either.
            var plain = RedisConfiguration(host: "127.0.0.1", port: port)
            plain.connectTimeout = .seconds(1)
            plain.commandTimeout = .seconds(1)
            await #expect(throws: (any Error).self) { _ = try await RedisConnection.connect(plain) }
            // A missing file is named.
            do {
                _ = try await RedisConnection.connect(try RedisConfiguration(url: "rediss://127.0.0.1:\(port)?ca=/nonexistent/ca.pem"))
                Issue.record("connected without a CA file")
            } catch let error as RedisConnectionError {
                #expect(error.kind == .connectFailed && error.message.contains("/nonexistent/ca.pem"), "\(error)")
            }
        }
    }
}
