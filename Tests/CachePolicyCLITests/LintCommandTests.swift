import CachePolicyCLI
import Foundation
import PolicyCompiler
import Synchronization
import Testing

/// Runs the CLI in-process and captures what it prints.
final class CapturedRun: Sendable {
    let stdout = Mutex("")
    let stderr = Mutex("")

    func run(_ arguments: [String]) -> Int32 {
        let console = Console(
            out: { text in self.stdout.withLock { $0 += text } },
            error: { text in self.stderr.withLock { $0 += text } })
        return CachePolicyCommand.run(arguments, console: console)
    }

    var out: String { stdout.withLock { $0 } }
    var err: String { stderr.withLock { $0 } }
}

/// A temporary folder with policy files, removed afterwards.
struct TemporaryPolicies {
    let path: String

    init(_ files: [String: String]) throws {
        path = NSTemporaryDirectory() + "cachepolicy-cli-\(UUID().uuidString)"
        for (name, text) in files {
            let full = path + "/" + name
            try FileManager.default.createDirectory(
                atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: full, atomically: true, encoding: .utf8)
        }
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

let cleanPolicy = """
    version: 1
    service: shop
    defaults: { ttl: 10m }
    params: { userId: uuid }
    keys:
      cart: { pattern: "shop:cart:{userId}", value: Cart }

    """

let packageRoot: String = {
    var path = #filePath
    repeat {
        path = String(path[..<path.lastIndex(of: "/")!])
    } while !FileManager.default.fileExists(atPath: path + "/Package.swift")
    return path
}()

@Suite("cachepolicy lint and explain")
struct LintCommandTests {
    @Test func examplePoliciesLintCleanStrict() {
        let run = CapturedRun()
        #expect(run.run(["lint", packageRoot + "/policies", "--strict"]) == 0)
        #expect(run.out.hasSuffix("9 files checked: 0 errors, 0 warnings\n"), "eight services and the platform file")
    }

    @Test func errorsExitOne() throws {
        let folder = try TemporaryPolicies(["shop.yaml": cleanPolicy.replacingOccurrences(of: "ttl: 10m", with: "ttl: 10")])
        defer { folder.remove() }
        let run = CapturedRun()
        #expect(run.run(["lint", folder.path]) == 1)
        #expect(run.out.contains("/shop.yaml:3:18: error: 'defaults.ttl' must be a duration, found '10' [CP203]"))
        #expect(run.out.contains("1 file checked: 1 error, 0 warnings"))
    }

    @Test func warningsFailOnlyWhenStrict() throws {
        let folder = try TemporaryPolicies(["shop.yaml": cleanPolicy.replacingOccurrences(of: "userId: uuid }", with: "userId: uuid, spare: int }")])
        defer { folder.remove() }
        #expect(CapturedRun().run(["lint", folder.path]) == 0)
        #expect(CapturedRun().run(["lint", folder.path, "--strict"]) == 1)
    }

    @Test func foldersAreSearchedRecursivelyAndFilesCanBeNamed() throws {
        let folder = try TemporaryPolicies([
            "a/shop.yaml": cleanPolicy,
            "b/nested/orders.yml": cleanPolicy.replacingOccurrences(of: "shop", with: "orders"),
            "notes.txt": "not a policy",
        ])
        defer { folder.remove() }
        let run = CapturedRun()
        #expect(run.run(["lint", folder.path]) == 0)
        #expect(run.out.contains("2 files checked"))
        let single = CapturedRun()
        #expect(single.run(["lint", folder.path + "/a/shop.yaml"]) == 0)
        #expect(single.out.contains("1 file checked"))
    }

    @Test func usageAndIOErrorsExitTwo() throws {
        let missing = CapturedRun()
        #expect(missing.run(["lint", "/nonexistent/policies"]) == 2)
        #expect(missing.err.contains("no such file or folder: /nonexistent/policies"))
        #expect(CapturedRun().run(["lint", "--format", "xml"]) == 2)
        #expect(CapturedRun().run(["lint", "--bogus"]) == 2)
        let empty = try TemporaryPolicies(["readme.md": "x"])
        defer { empty.remove() }
        #expect(CapturedRun().run(["lint", empty.path]) == 2)
        #expect(CapturedRun().run(["lint", "--max-file-size", "0"]) == 2)
    }

    @Test func oversizedFilesAreReportedNotRead() throws {
        let folder = try TemporaryPolicies(["shop.yaml": cleanPolicy])
        defer { folder.remove() }
        let run = CapturedRun()
        #expect(run.run(["lint", folder.path, "--max-file-size", "50"]) == 1)
        #expect(run.out.contains("[CP107]"))
    }

    @Test(arguments: ["json", "sarif", "github"])
    func machineFormats(format: String) throws {
        let folder = try TemporaryPolicies(["shop.yaml": cleanPolicy.replacingOccurrences(of: "value: Cart", with: "value: Cart, tll: 1m")])
        defer { folder.remove() }
        let run = CapturedRun()
        #expect(run.run(["lint", folder.path, "--format", format]) == 1)
        #expect(!run.out.contains("files checked"), "machine formats carry no summary line")
        if format == "github" {
            #expect(run.out.hasPrefix("::error file=\(folder.path)/shop.yaml,line=6,col="))
        } else {
            let object = try JSONSerialization.jsonObject(with: Data(run.out.utf8)) as? [String: Any]
            #expect(object != nil)
        }
    }

    @Test func explain() {
        let run = CapturedRun()
        #expect(run.run(["explain", "cp104"]) == 0)
        #expect(run.out.hasPrefix("CP104: duplicate-key (error, syntax)"))
        let unknown = CapturedRun()
        #expect(unknown.run(["explain", "CP999"]) == 2)
        #expect(unknown.err.contains("no diagnostic has the code or name 'CP999'"))
        // The names `explain --all` prints are accepted too, and a near miss gets a suggestion.
        let byName = CapturedRun()
        #expect(byName.run(["explain", "key-overlap"]) == 0)
        #expect(byName.out.hasPrefix("CP400: key-overlap (error, keyspace)"))
        let typo = CapturedRun()
        #expect(typo.run(["explain", "key-overlab"]) == 2)
        #expect(typo.err.contains("did you mean 'key-overlap'?"))
        let all = CapturedRun()
        #expect(all.run(["explain", "--all"]) == 0)
        #expect(all.out.split(separator: "\n").count == DiagnosticCatalogue.entries.count)
        #expect(CapturedRun().run(["explain"]) == 2)
    }

    @Test func helpExitsZero() {
        let run = CapturedRun()
        #expect(run.run(["lint", "--help"]) == 0)
        #expect(run.out.contains("USAGE: cachepolicy lint"))
    }
}
