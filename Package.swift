// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "CachePolicy",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "PolicyCompiler", targets: ["PolicyCompiler"]),
        .library(name: "CacheRuntime", targets: ["CacheRuntime"]),
        .library(name: "RESP", targets: ["RESP"]),
        .library(name: "CacheClient", targets: ["CacheClient"]),
        .library(name: "CacheWarmup", targets: ["CacheWarmup"]),
        .library(name: "CacheMonitoring", targets: ["CacheMonitoring"]),
        .library(name: "CacheHTTP", targets: ["CacheHTTP"]),
        .executable(name: "cachepolicy", targets: ["cachepolicy"]),
        .executable(name: "cachepolicy-audit", targets: ["cachepolicy-audit"]),
        .plugin(name: "CachePolicyBuildPlugin", targets: ["CachePolicyBuildPlugin"]),
        .plugin(name: "CachePolicyLintCommand", targets: ["CachePolicyLintCommand"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-atomics", from: "1.3.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-async-algorithms", from: "1.1.4"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: ["FullFoundation"]),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CYAML",
            path: "Sources/CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            path: "Sources/CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(name: "PercentEncoding"),
        .target(
            name: "PolicyCompiler",
            dependencies: ["CYAML", "PercentEncoding"]
        ),
        .target(
            name: "CacheRuntime",
            dependencies: [
                "PercentEncoding", "CZlib",
                .product(name: "Atomics", package: "swift-atomics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .target(
            name: "RESP",
            dependencies: [
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Atomics", package: "swift-atomics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .target(
            name: "CacheClient",
            dependencies: [
                "RESP", "CacheRuntime",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Atomics", package: "swift-atomics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        // The warmup runner: a swift-service-lifecycle Service, kept out of CacheClient's dependencies.
        .target(
            name: "CacheWarmup",
            dependencies: [
                "CacheClient", "CacheRuntime", "RESP",
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Atomics", package: "swift-atomics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Health, alerts, Redis INFO gauges and Prometheus exposition (an integration target).
        .target(
            name: "CacheMonitoring",
            dependencies: [
                "CacheClient", "CacheRuntime", "CacheWarmup", "RESP",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Optional HTTP routes on Hummingbird 2: metrics, health, alerts, invalidation, warmup triggers.
        .target(
            name: "CacheHTTP",
            dependencies: [
                "CacheClient", "CacheMonitoring", "CacheRuntime", "CacheWarmup",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ]
        ),
        // The keyspace audit: a live Redis scanned read-only against the policies.
        .target(
            name: "CacheAudit",
            dependencies: ["RESP"]
        ),
        .target(
            name: "CachePolicyCLI",
            dependencies: [
                "PolicyCompiler",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "cachepolicy",
            dependencies: ["CachePolicyCLI"]
        ),
        // The keyspace audit, apart from `cachepolicy` so the build plugin's tool never links SwiftNIO.
        .target(
            name: "CachePolicyAudit",
            dependencies: [
                "CacheAudit", "CachePolicyCLI", "PolicyCompiler", "RESP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "cachepolicy-audit",
            dependencies: ["CachePolicyAudit", "CachePolicyCLI"]
        ),
        .plugin(
            name: "CachePolicyBuildPlugin",
            capability: .buildTool(),
            dependencies: ["cachepolicy"]
        ),
        .plugin(
            name: "CachePolicyLintCommand",
            capability: .command(intent: .custom(verb: "lint-cache-policies", description: "Lint the package's cache policies")),
            dependencies: ["cachepolicy"]
        ),
        // The example platform: generated/ (from policies/) compiled together with its value types.
        .target(
            name: "ExamplePlatform",
            dependencies: ["CacheRuntime"],
            path: "Examples/ExamplePlatform"
        ),
        // The example platform's warmup jobs run against a local redis-server (scripts/warmup-demo).
        // No product: the Benchmarks package has its own ExamplePlatform target.
        .executableTarget(
            name: "WarmupDemo",
            dependencies: [
                "ExamplePlatform", "CacheWarmup", "CacheClient", "CacheHTTP", "CacheMonitoring", "CacheRuntime", "RESP",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Examples/WarmupDemo"
        ),
        .testTarget(
            name: "PolicyCompilerTests",
            dependencies: ["PolicyCompiler", "TestSupport"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "CacheRuntimeTests",
            dependencies: ["CacheRuntime", "PolicyCompiler", "TestSupport"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "ExamplePlatformTests",
            dependencies: ["ExamplePlatform", "CacheRuntime"]
        ),
        .testTarget(
            name: "GeneratedCodeTests",
            dependencies: ["CacheRuntime"]
        ),
        .target(
            name: "TestSupport",
            path: "Tests/TestSupport"
        ),
        .target(
            name: "RedisTestSupport",
            dependencies: [
                "RESP", "TestSupport", .product(name: "NIOConcurrencyHelpers", package: "swift-nio"), .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/RedisTestSupport"
        ),
        .testTarget(
            name: "RESPTests",
            dependencies: [
                "RESP", "RedisTestSupport", "TestSupport", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"), .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "CacheClientTests",
            dependencies: [
                "CacheClient", "CacheRuntime", "RESP", "RedisTestSupport", "ExamplePlatform", "TestSupport", "CachePolicyCLI",
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "WarmupTests",
            dependencies: [
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                "CacheWarmup", "CacheClient", "CacheRuntime", "RESP", "RedisTestSupport", "ExamplePlatform", "TestSupport",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "MonitoringTests",
            dependencies: [
                "CacheMonitoring", "CacheWarmup", "CacheClient", "CacheRuntime", "RESP", "RedisTestSupport", "ExamplePlatform", "TestSupport",
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "AuditTests",
            dependencies: [
                "CacheAudit", "CachePolicyAudit", "CachePolicyCLI", "CacheClient", "RESP", "RedisTestSupport", "ExamplePlatform", "TestSupport",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "CacheHTTPTests",
            dependencies: [
                "CacheHTTP", "CacheMonitoring", "CacheWarmup", "CacheClient", "CacheRuntime", "RESP", "RedisTestSupport", "ExamplePlatform", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .testTarget(
            name: "CachePolicyCLITests",
            dependencies: ["CachePolicyCLI", "PolicyCompiler", "TestSupport"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
