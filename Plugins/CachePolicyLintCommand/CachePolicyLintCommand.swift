import Foundation
import PackagePlugin

/// `swift package lint-cache-policies [--strict] [--format …]`: lints the package's policies
/// (a top-level `policies/` folder and every target's `policies/` folders) with `cachepolicy lint`.
@main
struct CachePolicyLintCommand: CommandPlugin {
    func performCommand(context: PluginContext, arguments: [String]) async throws {
        let root = context.package.directoryURL
        var folders: [URL] = []
        let topLevel = root.appending(path: "policies")
        if FileManager.default.fileExists(atPath: topLevel.path) { folders.append(topLevel) }
        for target in context.package.targets.compactMap({ $0 as? SourceModuleTarget }) {
            let policies = Set(target.sourceFiles.map(\.url).filter {
                ["yaml", "yml"].contains($0.pathExtension) && $0.deletingLastPathComponent().lastPathComponent == "policies"
            }.map { $0.deletingLastPathComponent() })
            folders.append(contentsOf: policies.sorted { $0.path < $1.path })
        }
        guard !folders.isEmpty else {
            Diagnostics.remark("no policies/ folder in this package")
            return
        }
        let process = Process()
        process.executableURL = try context.tool(named: "cachepolicy").url
        process.arguments = ["lint"] + folders.map(\.path) + arguments
        try process.run()
        process.waitUntilExit()
        if process.terminationStatus != 0 {
            Diagnostics.error("cache policy lint failed (exit status \(process.terminationStatus))")
        }
    }
}
