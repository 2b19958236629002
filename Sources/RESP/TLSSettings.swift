import NIOCore
import NIOSSL

/// TLS for `rediss://`: the server is verified against `caFile` (or the system's trust roots) and
/// `serverName`; a client certificate and key are presented when the server asks for them.
public struct TLSSettings: Sendable, Hashable {
    /// PEM file of the certificate authorities to trust; `nil`: the system's.
    public var caFile: String?
    /// PEM file of the client certificate (mutual TLS, `tls-auth-clients yes`), with `keyFile`.
    public var certificateFile: String?
    public var keyFile: String?
    /// The name the server's certificate must carry (and SNI); `nil`: the host, unless it is an
    /// IP address (then the certificate must list that address).
    public var serverName: String?

    public init(caFile: String? = nil, certificateFile: String? = nil, keyFile: String? = nil, serverName: String? = nil) {
        self.caFile = caFile
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.serverName = serverName
    }

    /// The client context; a missing or unreadable file is a ``RedisConnectionError`` naming it.
    func makeContext() throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        do {
            if let caFile { configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile)) }
            if let certificateFile {
                configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificateFile).map { .certificate($0) }
            }
            if let keyFile { configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: keyFile, format: .pem)) }
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw RedisConnectionError(.connectFailed, "the TLS settings cannot be used (\(caFile ?? "system CAs"), \(certificateFile ?? "no client certificate")): \(error)")
        }
    }

    /// The TLS handler for a connection to `host`.
    func makeHandler(_ context: NIOSSLContext, host: String) throws -> NIOSSLClientHandler {
        let isAddress = host.contains(":") || host.allSatisfy { $0.isNumber || $0 == "." }
        return try NIOSSLClientHandler(context: context, serverHostname: serverName ?? (isAddress ? nil : host))
    }
}
