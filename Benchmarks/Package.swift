// swift-tools-version: 6.1
import Foundation
import PackageDescription

/// A path dependency's identity is its folder name, which depends on where the repository was cloned.
let parentPackage = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent().lastPathComponent.lowercased()

// Benchmarks live in their own package so that the main package's build and tests do not pull
// in ordo-one/benchmark. Run them with `swift package --package-path Benchmarks benchmark`.
let package = Package(
    name: "CachePolicyBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "CompilerBenchmarks",
            dependencies: [
                .product(name: "PolicyCompiler", package: parentPackage),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "CompilerBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Allocations per GET round trip against a live redis-server (REDIS_PORT, see scripts/bench-redis).
        .executableTarget(
            name: "ClientBenchmarks",
            dependencies: [
                "ExamplePlatform",
                .product(name: "RESP", package: parentPackage),
                .product(name: "CacheClient", package: parentPackage),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "ClientBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Near-cache hits against a plain locked dictionary (no server needed).
        .executableTarget(
            name: "NearCacheBenchmarks",
            dependencies: [
                .product(name: "CacheClient", package: parentPackage),
                .product(name: "CacheRuntime", package: parentPackage),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "NearCacheBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // A large reply decoded in one piece against 64 KiB reads (no server needed).
        .executableTarget(
            name: "DecoderBenchmarks",
            dependencies: [
                .product(name: "RESP", package: parentPackage),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "DecoderBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Pattern invalidation through index sets against SCAN, by keyspace size (scripts/bench-invalidation).
        .executableTarget(
            name: "InvalidationBenchmark",
            dependencies: [
                .product(name: "CacheClient", package: parentPackage),
                .product(name: "CacheRuntime", package: parentPackage),
                .product(name: "RESP", package: parentPackage),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "InvalidationBenchmark"
        ),
        // The example platform's generated code and models (a symlink to ../Examples/ExamplePlatform),
        // for benchmarks of a service's real reads and writes.
        .target(name: "ExamplePlatform", dependencies: [.product(name: "CacheRuntime", package: parentPackage)], path: "ExamplePlatform"),
        // A typed read and write through the generated API against raw GET/SET and a bare decode.
        .executableTarget(
            name: "TypedPath",
            dependencies: [
                "ExamplePlatform",
                .product(name: "CacheClient", package: parentPackage),
                .product(name: "CacheRuntime", package: parentPackage),
                .product(name: "RESP", package: parentPackage),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "CacheMonitoring", package: parentPackage),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            path: "TypedPath"
        ),
        // Event delivery through streams with 8 instances (scripts/bench-delivery).
        .executableTarget(
            name: "DeliveryBenchmark",
            dependencies: [
                "ExamplePlatform",
                .product(name: "CacheClient", package: parentPackage),
                .product(name: "CacheRuntime", package: parentPackage),
                .product(name: "RESP", package: parentPackage),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            path: "DeliveryBenchmark"
        ),
        // A hot key's readers across expiries, with and without early refresh (scripts/run-benchmark EarlyRefreshBenchmark).
        .executableTarget(
            name: "EarlyRefreshBenchmark",
            dependencies: [
                .product(name: "CacheClient", package: parentPackage),
                .product(name: "CacheRuntime", package: parentPackage),
                .product(name: "RESP", package: parentPackage),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            path: "EarlyRefreshBenchmark"
        ),
        // RedisClusterClient against redis-benchmark --cluster on a local 3-primary cluster (scripts/bench-cluster).
        .executableTarget(
            name: "ClusterThroughput",
            dependencies: [.product(name: "RESP", package: parentPackage)],
            path: "ClusterThroughput"
        ),
        // Peak memory of a 1,000,000-entry warmup job, streamed against collected (scripts/bench-warmup).
        .executableTarget(
            name: "WarmupBenchmark",
            dependencies: [
                .product(name: "CacheClient", package: parentPackage),
                .product(name: "CacheRuntime", package: parentPackage),
                .product(name: "CacheWarmup", package: parentPackage),
                .product(name: "RESP", package: parentPackage),
            ],
            path: "WarmupBenchmark"
        ),
        // Fetch latency with Redis killed, behind the circuit breaker (scripts/run-benchmark DegradationBenchmark).
        .executableTarget(
            name: "DegradationBenchmark",
            dependencies: [
                .product(name: "CacheClient", package: parentPackage),
                .product(name: "CacheRuntime", package: parentPackage),
                .product(name: "RESP", package: parentPackage),
            ],
            path: "DegradationBenchmark"
        ),
        // Operations per second, to compare with redis-benchmark in the same run (scripts/bench-redis).
        .executableTarget(
            name: "RESPThroughput",
            dependencies: [
                .product(name: "RESP", package: parentPackage),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "RESPThroughput"
        ),
    ],
    swiftLanguageModes: [.v6]
)
