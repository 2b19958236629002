// swift-tools-version: 6.0
import Foundation
import PackageDescription

/// A path dependency's identity is its folder name, which depends on where the repository was cloned.
let parentPackage = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent().lastPathComponent.lowercased()

// libFuzzer harnesses for the policy front end through emission, in their own package so the main
// build never carries the fuzzer sanitizer. Build and run them with scripts/fuzz TARGET SECONDS.
let package = Package(
    name: "CachePolicyFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [.package(path: "..")],
    targets: [
        .target(name: "FuzzSupport", dependencies: [.product(name: "PolicyCompiler", package: parentPackage)]),
        .executableTarget(name: "FuzzCompiler", dependencies: ["FuzzSupport", .product(name: "PolicyCompiler", package: parentPackage)]),
        .executableTarget(name: "FuzzDiff", dependencies: ["FuzzSupport", .product(name: "PolicyCompiler", package: parentPackage)]),
        .executableTarget(name: "FuzzConfig", dependencies: ["FuzzSupport", .product(name: "PolicyCompiler", package: parentPackage)]),
    ],
    swiftLanguageModes: [.v6]
)
