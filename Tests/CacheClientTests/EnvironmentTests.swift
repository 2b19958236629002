import CacheClient
@_spi(Generated) import CacheRuntime
import ExamplePlatform
import Foundation
import RESP
import RedisTestSupport
import Testing

/// The platform file's environments, generated into `CacheEnvironments` and resolved at start-up.
@Suite("Environments: configuration from the environment's name and the process environment")
struct EnvironmentTests {
    @Test func theExamplePlatformDeclaresItsThreeEnvironments() throws {
        #expect(CacheEnvironments.all.map(\.name) == ["dev", "staging", "prod"])
        #expect(try CacheEnvironments.current(["CACHEPOLICY_ENVIRONMENT": "staging"]) == CacheEnvironments.staging)
        #expect(throws: EnvironmentError("CACHEPOLICY_ENVIRONMENT is not set; set it to one of: dev, staging, prod")) {
            try CacheEnvironments.current([:])
        }
        let unknown = #expect(throws: EnvironmentError.self) { try CacheEnvironments.current(["CACHEPOLICY_ENVIRONMENT": "qa"]) }
        #expect(unknown?.description.contains("'qa'") == true && unknown?.description.contains("dev, staging, prod") == true)
    }

    @Test func devIsOneLocalServerWithShortTTLsAndNoWarmup() throws {
        let resolved = try CacheEnvironments.dev.resolve(service: "payment", processEnvironment: [:])
        guard case .single(let configuration) = resolved.deployment else { Issue.record("dev is one server"); return }
        #expect(configuration.host == "127.0.0.1" && configuration.port == 6379 && configuration.tls == nil)
        #expect(configuration.username == nil && configuration.password == nil)
        #expect(configuration.clientName == "cachepolicy-payment")
        #expect(resolved.ttlScale == 0.1 && !resolved.warmup)
    }

    @Test func stagingReadsEachServicesPasswordFromItsVariable() throws {
        let resolved = try CacheEnvironments.staging.resolve(
            service: "bill-pay", processEnvironment: ["CACHEPOLICY_BILL_PAY_PASSWORD": "s3cret"])
        guard case .single(let configuration) = resolved.deployment, let sentinel = configuration.sentinel else {
            Issue.record("staging is a Sentinel-managed master")
            return
        }
        #expect(sentinel.masterName == "billpay-staging")
        #expect(sentinel.sentinels.map(\.description) == (0..<3).map { "sentinel-\($0).staging.internal:26379" })
        #expect(configuration.username == "cachepolicy-bill-pay" && configuration.password == "s3cret")
        #expect(!resolved.description.contains("s3cret") && !"\(configuration)".contains("s3cret"))
        // Alerts: the environment's threshold replaces the service's; others stay.
        let service = AlertThresholds(hitRateBelow: 0.8, latencyAbove: .milliseconds(50), holdFor: [.latency: .seconds(60)])
        let merged = resolved.environment.alerts(overriding: service)
        #expect(merged.hitRateBelow == 0.5 && merged.latencyAbove == .milliseconds(50))
        #expect(merged.holdFor == [.latency: .seconds(60), .hitRate: .seconds(900)])
    }

    @Test func aMissingSecretNamesWhereItComesFromNeverAValue() throws {
        let error = #expect(throws: EnvironmentError.self) {
            try CacheEnvironments.staging.resolve(service: "payment", processEnvironment: ["CACHEPOLICY_USER_PASSWORD": "other"])
        }
        #expect(error?.description.contains("CACHEPOLICY_PAYMENT_PASSWORD") == true)
        #expect(error?.description.contains("other") == false)
        let fileError = #expect(throws: EnvironmentError.self) {
            try CacheEnvironments.prod.resolve(service: "payment", processEnvironment: [:]) { path in
                throw CocoaError(.fileReadNoPermission, userInfo: [NSFilePathErrorKey: path])
            }
        }
        #expect(fileError?.description.contains("/run/secrets/cachepolicy-payment") == true)
    }

    @Test func prodIsASentinelMasterOverTLSWithPerServiceCertificates() throws {
        let resolved = try CacheEnvironments.prod.resolve(service: "payment", processEnvironment: [:]) { path in
            #expect(path == "/run/secrets/cachepolicy-payment")
            return "from-file\n"
        }
        guard case .single(let configuration) = resolved.deployment, let sentinel = configuration.sentinel else {
            Issue.record("prod is a Sentinel master")
            return
        }
        #expect(sentinel.masterName == "billpay-prod" && sentinel.sentinels.count == 3)
        #expect(configuration.tls == TLSSettings(
            caFile: "/etc/cachepolicy/ca.pem", certificateFile: "/etc/cachepolicy/payment.pem",
            keyFile: "/etc/cachepolicy/payment.key", serverName: "redis.prod.internal"))
        #expect(configuration.username == "cachepolicy-payment" && configuration.password == "from-file", "the file's trailing newline is not part of the password")
        #expect(resolved.replicaConfiguration?.sentinel?.role == .replica, "replica reads for readFrom: replica families")
    }

    @Test func aClusterOverTLSHasItsSeedsAndCertificates() throws {
        let environment = CacheEnvironment(
            name: "big", topology: .cluster(seeds: ["rediss://redis-0:6379", "rediss://redis-1:6380"]),
            tls: .init(ca: "/ca.pem", certificate: "/{service}.pem", key: "/{service}.key"), credentials: .init(user: "c-{service}", password: nil))
        let resolved = try environment.resolve(service: "user", processEnvironment: [:])
        guard case .cluster(let seeds, let configuration) = resolved.deployment else { Issue.record("a cluster"); return }
        #expect(seeds.map { "\($0.host):\($0.port)" } == ["redis-0:6379", "redis-1:6380"])
        #expect(configuration.tls == TLSSettings(caFile: "/ca.pem", certificateFile: "/user.pem", keyFile: "/user.key"))
        #expect(configuration.username == "c-user" && configuration.password == nil && resolved.replicaConfiguration == nil)
    }

    @Test func aURLFromTheEnvironmentIsParsedAndItsErrorsRedacted() throws {
        let environment = CacheEnvironment(name: "ci", topology: .standalone(url: .environment("REDIS_URL")))
        let resolved = try environment.resolve(service: "user", processEnvironment: ["REDIS_URL": "rediss://10.0.0.5:6380/2?server-name=cache"])
        #expect(resolved.configuration.port == 6380 && resolved.configuration.database == 2 && resolved.configuration.tls?.serverName == "cache")
        let error = #expect(throws: EnvironmentError.self) {
            try environment.resolve(service: "user", processEnvironment: ["REDIS_URL": "http://admin:hunter2@10.0.0.5"])
        }
        #expect(error?.description.contains("hunter2") == false)
    }

    @Test func templatesExpandTheServiceName() {
        #expect(CacheEnvironment.expand("cachepolicy-{service}", service: "bill-pay") == "cachepolicy-bill-pay")
        #expect(CacheEnvironment.expand("CP_{SERVICE}_PW", service: "bill-pay") == "CP_BILL_PAY_PW")
        #expect(CacheEnvironment.expand("{odd}{service}{", service: "x") == "{odd}x{")
    }

    /// The resolved settings against a real server: the service logs in as its ACL user with the
    /// password from the process environment, and the environment's ttlScale shortens what it writes.
    @Test func aServiceConnectsAsItsACLUserAndWritesScaledTTLs() async throws {
        try await withRedisServer([]) { server in
            let admin = RedisClient(server.configuration)
            _ = try await admin.send(RESPCommand("ACL", "SETUSER", "app-payment", "on", ">pw-from-env", "allkeys", "allchannels", "+@all"))
            let environment = CacheEnvironment(
                name: "local", topology: .standalone(url: .value("redis://127.0.0.1:\(server.port)")),
                credentials: .init(user: "app-{service}", password: .environment("PW_{SERVICE}")), ttlScale: 0.01)
            let resolved = try environment.resolve(service: "payment", processEnvironment: ["PW_PAYMENT": "pw-from-env"])
            let redis = RedisClient(resolved.configuration)
            let cache = CacheClient(redis: redis, ttlScale: resolved.ttlScale)
            #expect(try await redis.send(RESPCommand("ACL", "WHOAMI")).string == "app-payment")
            let key = PaymentCache.history(userId: UUID(), page: 1)
            try await cache.set(key, PaymentHistoryPage(page: 1, payments: []))
            let ttl = try await redis.send(RESPCommand("PTTL", key.key)).int ?? -1
            let scaled = PaymentCache.Families.history.ttlRange(scale: 0.01)
            #expect(ttl > 0 && ttl <= scaled.upperBound, "15m ± 10% at 1% is at most \(scaled.upperBound) ms, found \(ttl)")
            #expect(scaled.upperBound < PaymentCache.Families.history.ttlRange.lowerBound / 50)
            await redis.shutdown()
            await admin.shutdown()
        }
    }
}
