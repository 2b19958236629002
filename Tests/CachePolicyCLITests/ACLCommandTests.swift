import CachePolicyCLI
import Foundation
import Testing

@Suite("cachepolicy acl --environment")
struct ACLCommandTests {
    static let payment = """
        version: 1
        service: payment
        params:
          userId: uuid
        keys:
          recent:
            pattern: "payment:recent:{userId}"
            ttl: 5m
            codec: string

        """

    @Test func usersAreNamedAsTheEnvironmentSays() throws {
        let platform = """
            version: 1
            platform: shop
            environments:
              dev:
                redis: redis://127.0.0.1:6379
              prod:
                redis: rediss://cache.internal:6379
                credentials: { user: "shop-{service}-prod", password: { env: "PW_{SERVICE}" } }

            """
        let policies = try TemporaryPolicies(["platform.yaml": platform, "payment.yaml": Self.payment])
        let prod = CapturedRun()
        #expect(prod.run(["acl", policies.path, "--environment", "prod"]) == 0, "\(prod.err)")
        #expect(prod.out.hasPrefix("user shop-payment-prod reset on "))
        #expect(prod.out.contains(" ~#lease:payment:recent:* ~#lease:{payment:recent:* "), "both lease forms: one server's and a cluster's")
        let plain = CapturedRun()
        #expect(plain.run(["acl", policies.path]) == 0)
        #expect(plain.out.hasPrefix("user cachepolicy-payment reset on "))
        #expect(prod.out.dropFirst("user shop-payment-prod".count) == plain.out.dropFirst("user cachepolicy-payment".count), "only the name differs")

        let dev = CapturedRun()
        #expect(dev.run(["acl", policies.path, "--environment", "dev"]) == 2)
        #expect(dev.err.contains("'dev' declares no credentials"))
        let unknown = CapturedRun()
        #expect(unknown.run(["acl", policies.path, "--environment", "qa"]) == 2)
        #expect(unknown.err.contains("known: dev, prod"))
        let both = CapturedRun()
        #expect(both.run(["acl", policies.path, "--environment", "prod", "--user-prefix", "x-"]) != 0)
    }

    @Test func anEnvironmentNeedsAPlatformFile() throws {
        let run = CapturedRun()
        let policies = try TemporaryPolicies(["payment.yaml": Self.payment])
        #expect(run.run(["acl", policies.path, "--environment", "prod"]) == 2)
        #expect(run.err.contains("no platform file"))
    }
}
