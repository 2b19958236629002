// swift-tools-version: 6.0
import Foundation
import PackageDescription

/// A path dependency's identity is its folder name, which depends on where the repository was cloned.
let parentPackage = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent().lastPathComponent.lowercased()

// libFuzzer harnesses for the policy front end through emission and for the runtime's untrusted inputs, in their own package so the main
// build never carries the fuzzer sanitizer. Build and run them with scripts/fuzz TARGET SECONDS.
let package = Package(
    name: "CachePolicyFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [.package(path: ".."), .package(url: "https://github.com/apple/swift-nio", from: "2.101.2")],
    targets: [
        .target(name: "FuzzSupport", dependencies: [.product(name: "PolicyCompiler", package: parentPackage)]),
        .executableTarget(name: "FuzzCompiler", dependencies: ["FuzzSupport", .product(name: "PolicyCompiler", package: parentPackage)]),
        .executableTarget(name: "FuzzDiff", dependencies: ["FuzzSupport", .product(name: "PolicyCompiler", package: parentPackage)]),
        .executableTarget(name: "FuzzConfig", dependencies: ["FuzzSupport", .product(name: "PolicyCompiler", package: parentPackage)]),
        // The runtime: the RESP decoder (one piece against pieces) and stored values (decompression, codecs).
        .executableTarget(
            name: "FuzzRESP",
            dependencies: ["FuzzSupport", .product(name: "RESP", package: parentPackage), .product(name: "NIOCore", package: "swift-nio")]),
        .executableTarget(
            name: "FuzzValues",
            dependencies: ["FuzzSupport", .product(name: "CacheRuntime", package: parentPackage), .product(name: "NIOCore", package: "swift-nio")]),
    ],
    swiftLanguageModes: [.v6]
)
