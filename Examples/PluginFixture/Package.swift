// swift-tools-version: 6.0
import Foundation
import PackageDescription

// A package that uses cachepolicy the way a service would: its target holds a policy under
// policies/, the build plugin generates the cache API at build time, and main.swift calls it.
// CI builds and runs it (scripts/test).

/// A path dependency's identity is its folder name, which depends on where the repository was cloned.
let cachePolicy = URL(fileURLWithPath: Context.packageDirectory)
    .deletingLastPathComponent().deletingLastPathComponent().lastPathComponent.lowercased()

let package = Package(
    name: "PluginFixture",
    platforms: [.macOS(.v14)],
    dependencies: [.package(path: "../..")],
    targets: [
        .target(name: "BookModels"),
        .target(name: "Contracts", resources: [.process("policies")]),
        .executableTarget(
            name: "FixtureApp",
            dependencies: ["BookModels", "Contracts", .product(name: "CacheRuntime", package: cachePolicy)],
            plugins: [.plugin(name: "CachePolicyBuildPlugin", package: cachePolicy)]
        ),
    ],
    swiftLanguageModes: [.v6]
)
