import Foundation

/// `swiftc -typecheck` of Swift files against this package's debug build (`.build/debug/Modules`
/// and every C module map it needs), for tests that prove generated code or documentation
/// snippets compile.
public enum SwiftTypecheck {
    /// The package's root, from this file's place in it.
    public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// A compiler per core at most: a few hundred MB and a core each, started together by
    /// parameterized tests.
    private static let compilers = AsyncSemaphore(permits: max(1, ProcessInfo.processInfo.activeProcessorCount))

    public static func run(_ files: [String]) async throws -> (status: Int32, output: String) {
        let build = packageRoot + "/.build/debug"
        var arguments = ["swiftc", "-typecheck", "-swift-version", "6", "-I", build + "/Modules"]
        for map in try moduleMaps(build: build) { arguments += ["-Xcc", "-fmodule-map-file=" + map] }
        let run = try await compilers.withPermit { try await ChildProcess.run(arguments + files, mergingErrors: true) }
        return (run.status, run.output)
    }

    /// This build's C targets, this package's system libraries (CYAML, CZlib), and the C targets
    /// of dependencies that ship their own module map (swift-atomics' shims).
    static func moduleMaps(build: String) throws -> [String] {
        var maps: [String] = []
        for entry in try FileManager.default.contentsOfDirectory(atPath: build) where entry.hasSuffix(".build") {
            let map = build + "/" + entry + "/module.modulemap"
            if FileManager.default.fileExists(atPath: map) { maps.append(map) }
        }
        for entry in try FileManager.default.contentsOfDirectory(atPath: packageRoot + "/Sources") {
            let map = packageRoot + "/Sources/" + entry + "/module.modulemap"
            if FileManager.default.fileExists(atPath: map) { maps.append(map) }
        }
        let checkouts = packageRoot + "/.build/checkouts"
        if let walker = FileManager.default.enumerator(atPath: checkouts) {
            while let path = walker.nextObject() as? String {
                if path.hasSuffix("/include/module.modulemap"), path.contains("/Sources/") { maps.append(checkouts + "/" + path) }
            }
        }
        return maps.sorted()
    }
}
