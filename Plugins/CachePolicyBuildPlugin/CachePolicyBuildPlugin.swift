import Foundation
import PackagePlugin

/// Generates the cache API of a target from its policy files at build time.
///
/// Policy files are the target's `*.yaml` / `*.yml` files inside a folder named `policies`
/// (e.g. `Sources/MyService/policies/payment.yaml`). Each becomes `<Name>Cache.swift`, plus one
/// `CacheEvents.swift`, compiled into the target with internal access (so internal value types
/// work). The command only reruns when a policy changes; diagnostics appear in the build output
/// as `file:line:col: error: …`.
@main
struct CachePolicyBuildPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) async throws -> [Command] {
        guard let target = target as? SourceModuleTarget else { return [] }
        let policies = target.sourceFiles.map(\.url).filter(Self.isPolicy).sorted { $0.path < $1.path }
        guard !policies.isEmpty else { return [] }
        let output = context.pluginWorkDirectoryURL.appending(path: "CachePolicy")
        let generated = policies.map { output.appending(path: Self.generatedFileName(for: $0)) }
            + [output.appending(path: "CacheEvents.swift")]
        return [
            .buildCommand(
                displayName: "Generating cache policy code for \(target.name)",
                executable: try context.tool(named: "cachepolicy").url,
                arguments: ["generate"] + policies.map(\.path) + ["--output", output.path, "--access", "internal"],
                inputFiles: policies,
                outputFiles: generated),
        ]
    }

    static func isPolicy(_ url: URL) -> Bool {
        ["yaml", "yml"].contains(url.pathExtension) && url.deletingLastPathComponent().lastPathComponent == "policies"
    }

    /// The generator names each file after its policy file: `billing-v2.yaml` → `BillingV2Cache.swift`
    /// (the same rule as `SwiftEmitter.fileName(forPolicyFile:)`; plugins cannot link the compiler).
    static func generatedFileName(for policy: URL) -> String {
        let stem = policy.deletingPathExtension().lastPathComponent.split(separator: ".").first.map(String.init) ?? ""
        let words = stem.split { $0 == "-" || $0 == "." || $0 == "_" }
        let name = words.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        return (name.first?.isNumber == true ? "_" + name : name) + "Cache.swift"
    }
}
