import Foundation
import Testing

/// The Swift snippets of docs/runtime.md compile against this build (the example platform's
/// generated code and the runtime's modules), so the getting-started stays true.
@Suite("docs/runtime.md snippets")
struct RuntimeDocTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// The ```swift blocks that are whole files (they start with `import`).
    static func snippets() throws -> [String] {
        let text = try String(contentsOfFile: root + "/docs/runtime.md", encoding: .utf8)
        var snippets: [String] = []
        var current: [Substring]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line == "```swift" {
                current = []
            } else if current != nil, line == "```" {
                let code = current!.joined(separator: "\n")
                if code.hasPrefix("import ") { snippets.append(code) }
                current = nil
            } else {
                current?.append(line)
            }
        }
        return snippets
    }

    @Test func gettingStartedCompiles() throws {
        let snippets = try Self.snippets()
        #expect(!snippets.isEmpty, "docs/runtime.md has a getting-started snippet")
        let build = Self.root + "/.build/debug"
        for (index, snippet) in snippets.enumerated() {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("runtime-doc-\(UUID().uuidString)-\(index).swift").path
            try snippet.write(toFile: file, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: file) }
            var arguments = ["swiftc", "-typecheck", "-swift-version", "6", "-I", build + "/Modules"]
            for map in try Self.moduleMaps(build) { arguments += ["-Xcc", "-fmodule-map-file=" + map] }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = arguments + [file]
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
            try process.run()
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "snippet \(index + 1) of docs/runtime.md does not compile:\n\(output)")
        }
    }

    /// Module maps of C targets: this build's, this package's system libraries, and dependencies'.
    static func moduleMaps(_ build: String) throws -> [String] {
        var maps: [String] = []
        for entry in try FileManager.default.contentsOfDirectory(atPath: build) where entry.hasSuffix(".build") {
            let map = build + "/" + entry + "/module.modulemap"
            if FileManager.default.fileExists(atPath: map) { maps.append(map) }
        }
        for entry in try FileManager.default.contentsOfDirectory(atPath: root + "/Sources") {
            let map = root + "/Sources/" + entry + "/module.modulemap"
            if FileManager.default.fileExists(atPath: map) { maps.append(map) }
        }
        let checkouts = root + "/.build/checkouts"
        if let walker = FileManager.default.enumerator(atPath: checkouts) {
            while let path = walker.nextObject() as? String {
                if path.hasSuffix("/include/module.modulemap"), path.contains("/Sources/") { maps.append(checkouts + "/" + path) }
            }
        }
        return maps.sorted()
    }
}
