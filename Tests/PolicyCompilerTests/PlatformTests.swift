import Testing
@testable import PolicyCompiler

/// The platform file (`platform.yaml`): environments, checked like any policy, never holding a secret.
@Suite("Platform file: environments")
struct PlatformTests {
    static let platform = """
        version: 1
        platform: shop
        environments:
          dev:
            redis: redis://127.0.0.1:6379
            ttlScale: 10%
            warmup: false
          prod:
            redis:
              cluster:
                seeds: [rediss://a:6379, rediss://b:6379]
            tls: { ca: /etc/ca.pem }
            credentials:
              user: app-{service}
              password: { env: "APP_{SERVICE}_PASSWORD" }
            alerts:
              hitRate: { below: 40% }

        """

    func compile(platform text: String, file: String = "platform.yaml") -> Compiler.Result {
        PolicyCompilerTests.compile(["shop.yaml": goodPolicy, file: text])
    }

    @Test func aCleanPlatformBecomesPartOfTheProgram() throws {
        let result = compile(platform: Self.platform)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.message))")
        let platform = try #require(result.program?.platform)
        #expect(platform.name.value == "shop")
        #expect(platform.environments.map(\.name.value) == ["dev", "prod"])
        #expect(platform.environments[0].redis.value == .standalone(url: .value("redis://127.0.0.1:6379")))
        #expect(platform.environments[0].ttlScale?.value == Percent(10) && platform.environments[0].warmup?.value == false)
        #expect(platform.environments[1].redis.value == .cluster(seeds: ["rediss://a:6379", "rediss://b:6379"]))
        #expect(platform.environments[1].credentials?.user(for: "bill-pay") == "app-bill-pay")
        #expect(platform.environments[1].credentials?.password?.value == .environment("APP_{SERVICE}_PASSWORD"))
        #expect(platform.environments[1].alerts?.hitRateBelow?.value == Percent(40))
        let files = SwiftEmitter().emit(try #require(result.program))
        let environments = try #require(files.first { $0.name == "CacheEnvironments.swift" })
        #expect(environments.contents.contains("public static let prod = CacheEnvironment("))
        #expect(environments.contents.contains(#"password: .environment("APP_{SERVICE}_PASSWORD")"#))
        #expect(SwiftEmitter.fileName(forPolicyFile: "policies/platform.yaml") == "CacheEnvironments.swift")
        let json = JSONEmitter.emit(try #require(result.program)).contents
        #expect(json.contains(#""password": {"#) && json.contains(#""env": "APP_{SERVICE}_PASSWORD""#))
        #expect(json.contains(#""ttlScale": 0.1"#))
    }

    @Test func secretsAreNeverWrittenInThePolicy() {
        let inURL = Self.platform.replacingOccurrences(of: "redis://127.0.0.1:6379", with: "redis://admin:hunter2@127.0.0.1:6379")
        let finding = expectFinding(compile(platform: inURL), .secretInPolicy, line: 5, column: 12, file: "platform.yaml")
        #expect(finding?.message.contains("hunter2") == false)
        let inPlace = Self.platform.replacingOccurrences(of: #"{ env: "APP_{SERVICE}_PASSWORD" }"#, with: "hunter2")
        expectFinding(compile(platform: inPlace), .secretInPolicy, line: 15, column: 17, file: "platform.yaml")
    }

    @Test func addressesAndSecretSourcesAreChecked() {
        let badURL = Self.platform.replacingOccurrences(of: "redis://127.0.0.1:6379", with: "http://127.0.0.1:6379")
        expectFinding(compile(platform: badURL), .invalidRedisURL, line: 5, column: 12, file: "platform.yaml")
        let badPort = Self.platform.replacingOccurrences(of: "redis://127.0.0.1:6379", with: "redis://127.0.0.1:99999")
        expectFinding(compile(platform: badPort), .invalidRedisURL, line: 5, column: 12, file: "platform.yaml")
        let mixed = Self.platform.replacingOccurrences(of: "rediss://b:6379", with: "redis://b:6379")
        expectFinding(compile(platform: mixed), .invalidRedisURL, line: 10, column: 7, file: "platform.yaml")
        let badVariable = Self.platform.replacingOccurrences(of: "APP_{SERVICE}_PASSWORD", with: "app password")
        expectFinding(compile(platform: badVariable), .invalidValue, line: 15, column: 24, file: "platform.yaml")
        let both = Self.platform.replacingOccurrences(of: #"{ env: "APP_{SERVICE}_PASSWORD" }"#, with: "{ env: A, file: /b }")
        expectFinding(compile(platform: both), .missingField, line: 15, column: 17, file: "platform.yaml")
        let twoTopologies = Self.platform.replacingOccurrences(of: "    redis: redis://127.0.0.1:6379", with: "    redis: { url: redis://a:1, cluster: { seeds: [redis://b:2] } }")
        expectFinding(compile(platform: twoTopologies), .invalidValue, line: 5, column: 12, file: "platform.yaml")
        let scale = Self.platform.replacingOccurrences(of: "ttlScale: 10%", with: "ttlScale: 0%")
        expectFinding(compile(platform: scale), .invalidValue, line: 6, column: 15, file: "platform.yaml")
    }

    @Test func eachServiceGetsItsOwnUser() {
        let shared = Self.platform.replacingOccurrences(of: "user: app-{service}", with: "user: app")
        let finding = expectFinding(compile(platform: shared), .sharedACLUser, line: 14, column: 13, file: "platform.yaml")
        #expect(finding?.hint?.contains("{service}") == true)
    }

    @Test func thePlatformFileIsOneFileCalledPlatformYAML() {
        expectFinding(compile(platform: Self.platform, file: "envs.yaml"), .platformFile, line: 1, column: 1, file: "envs.yaml")
        let two = PolicyCompilerTests.compile(["shop.yaml": goodPolicy, "platform.yaml": Self.platform, "a/platform.yaml": Self.platform])
        #expect(two.diagnostics.filter { $0.code == .platformFile }.count == 1)
        let service = PolicyCompilerTests.compile(["platform.yaml": goodPolicy])
        expectFinding(service, .platformFile, line: 1, column: 1, file: "platform.yaml")
        let reserved = Self.platform.replacingOccurrences(of: "  dev:", with: "  all:")
        expectFinding(compile(platform: reserved), .reservedName, line: 4, column: 3, file: "platform.yaml")
        let typo = Self.platform.replacingOccurrences(of: "ttlScale:", with: "ttlscale:")
        let unknown = expectFinding(compile(platform: typo), .unknownField, line: 6, column: 5, file: "platform.yaml")
        #expect(unknown?.hint?.contains("ttlScale") == true)
    }

    @Test func thePlatformFileIsNotReadFromReferences() {
        let result = Compiler().compile(
            [SourceFile(path: "shop.yaml", text: goodPolicy)], references: [SourceFile(path: "vendor/platform.yaml", text: Self.platform)])
        #expect(result.diagnostics.isEmpty && result.program?.platform == nil)
    }

    @Test func urlSyntax() {
        #expect(RedisURLSyntax.check("redis://h") == .valid)
        #expect(RedisURLSyntax.check("rediss://[::1]:6380/3") == .valid)
        #expect(RedisURLSyntax.check("REDIS://h:1") == .valid)
        #expect(RedisURLSyntax.check("redis://:pw@h") == .hasCredentials)
        #expect(RedisURLSyntax.check("redis://h:0") != .valid)
        #expect(RedisURLSyntax.check("redis://h/x") != .valid)
        #expect(RedisURLSyntax.check("redis://") != .valid)
        #expect(RedisURLSyntax.check("redis://h?ca=x") != .valid)
    }
}
