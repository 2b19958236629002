import Foundation
import PackagePlugin

/// Generates the cache API of a target from its policy files at build time.
///
/// Policy files are the target's `*.yaml` / `*.yml` files inside a folder named `policies`
/// (e.g. `Sources/MyService/policies/payment.yaml`). Each becomes `<Name>Cache.swift`, plus one
/// `CacheEvents.swift`, compiled into the target. A `cachepolicy.yaml` beside the `policies` folder
/// configures the generation: modules to import (where value types live), the access level
/// (default `internal`, so internal value types work), `strict` (warnings fail the build) and
/// `references` (policies declared elsewhere whose events the target reacts to); see
/// docs/code-generation.md. Policies in `policies` folders of the targets this one depends on are
/// references too. The command reruns when a policy or the config changes; diagnostics
/// appear in the build output as `file:line:col: error: …`. Generated files name their policies
/// relative to the package folder, so no machine path lands in them.
@main
struct CachePolicyBuildPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) async throws -> [Command] {
        guard let target = target as? SourceModuleTarget else { return [] }
        let policies = target.sourceFiles.map(\.url).filter(Self.isPolicy).sorted { $0.path < $1.path }
        guard !policies.isEmpty else { return [] }
        let output = context.pluginWorkDirectoryURL.appending(path: "CachePolicy")
        let generated = policies.map { output.appending(path: GeneratedNames.fileName(forPolicyFile: $0.path)) }
            + [output.appending(path: GeneratedNames.eventsFileName)]
        var arguments = ["generate"] + policies.map(\.path) + [
            "--output", output.path, "--source-root", context.package.directoryURL.path, "--generator", "plugin",
        ]
        var inputs = policies
        // Policies of the targets this one depends on (a contracts package vending its policies
        // as resources) are references: their events can be reacted to, nothing is generated for them.
        let referenced = target.recursiveTargetDependencies.compactMap { $0 as? SourceModuleTarget }
            .flatMap { $0.sourceFiles.map(\.url).filter(Self.isPolicy) }.sorted { $0.path < $1.path }
        for reference in referenced { arguments += ["--reference", reference.path] }
        inputs += referenced
        let configs = Set(policies.map { $0.deletingLastPathComponent().deletingLastPathComponent().appending(path: GeneratedNames.configFileName) })
            .filter { FileManager.default.fileExists(atPath: $0.path) }
            .sorted { $0.path < $1.path }
        if configs.count > 1 {
            Diagnostics.error("\(target.name) has \(configs.count) \(GeneratedNames.configFileName) files (\(configs.map(\.path).joined(separator: ", "))); keep one beside its policies folder")
            return []
        }
        if let config = configs.first {
            arguments += ["--config", config.path]
            inputs.append(config)
        }
        return [
            .buildCommand(
                displayName: "Generating cache policy code for \(target.name)",
                executable: try context.tool(named: "cachepolicy").url,
                arguments: arguments,
                inputFiles: inputs,
                outputFiles: generated),
        ]
    }

    static func isPolicy(_ url: URL) -> Bool {
        ["yaml", "yml"].contains(url.pathExtension) && url.deletingLastPathComponent().lastPathComponent == "policies"
    }
}
