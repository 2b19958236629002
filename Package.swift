// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "CachePolicy",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "PolicyCompiler", targets: ["PolicyCompiler"]),
        .executable(name: "cachepolicy", targets: ["cachepolicy"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CYAML",
            path: "Sources/CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        .target(
            name: "PolicyCompiler",
            dependencies: ["CYAML"]
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
        .testTarget(
            name: "PolicyCompilerTests",
            dependencies: ["PolicyCompiler"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "CachePolicyCLITests",
            dependencies: ["CachePolicyCLI"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
