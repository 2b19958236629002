import Foundation
import TestSupport
import Testing

/// The Swift snippets of docs/runtime.md compile against this build (the example platform's
/// generated code and the runtime's modules), so the getting-started stays true.
@Suite("docs/runtime.md snippets")
struct RuntimeDocTests {
    static let root = SwiftTypecheck.packageRoot

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

    @Test func gettingStartedCompiles() async throws {
        let snippets = try Self.snippets()
        #expect(!snippets.isEmpty, "docs/runtime.md has a getting-started snippet")
        for (index, snippet) in snippets.enumerated() {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("runtime-doc-\(UUID().uuidString)-\(index).swift").path
            try snippet.write(toFile: file, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: file) }
            let check = try await SwiftTypecheck.run([file])
            #expect(check.status == 0, "snippet \(index + 1) of docs/runtime.md does not compile:\n\(check.output)")
        }
    }
}
