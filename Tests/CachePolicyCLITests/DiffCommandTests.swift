import Foundation
import Testing

@Suite("cachepolicy diff")
struct DiffCommandTests {
    /// A git repository with one commit of `files`; returns its path.
    func repository(_ files: [String: String]) async throws -> TemporaryPolicies {
        let folder = try TemporaryPolicies(files)
        for arguments in [["init", "-q"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "v1"]] {
            let run = try await runProcess("/usr/bin/env", ["git", "-C", folder.path] + arguments)
            #expect(run.status == 0, "\(run.err)")
        }
        return folder
    }

    @Test func againstAGitRevisionReadsTheOldFilesWithGit() async throws {
        let folder = try await repository(["policies/shop.yaml": cleanPolicy])
        defer { folder.remove() }
        try cleanPolicy.replacingOccurrences(of: "shop:cart:{userId}", with: "shop:basket:{userId}")
            .write(toFile: folder.path + "/policies/shop.yaml", atomically: true, encoding: .utf8)
        let policies = folder.path + "/policies"
        let run = CapturedRun()
        #expect(run.run(["diff", "--against", "HEAD", policies]) == 1, "\(run.err)")
        #expect(run.out.contains("\(policies)/shop.yaml:6:3: error: [KEYSPACE] the key pattern of 'shop.cart' changes from 'shop:cart:{userId}' to 'shop:basket:{userId}'"), "\(run.out)")
        #expect(run.out.contains("1 change against HEAD (1 KEYSPACE): 1 failing"))
        // Choosing what fails: KEYSPACE not selected → a warning, exit 0.
        let lenient = CapturedRun()
        #expect(lenient.run(["diff", "--against", "HEAD", "--fail-on", "FRESHNESS,source", policies]) == 0)
        #expect(lenient.out.contains("warning: [KEYSPACE]"))
        let json = CapturedRun()
        #expect(json.run(["diff", "--against", "HEAD", "--format", "json", policies]) == 1)
        #expect(json.out.contains("\"code\": \"CP800\""), "\(json.out)")
    }

    @Test func againstAFolder() throws {
        let folder = try TemporaryPolicies([
            "old/shop.yaml": cleanPolicy,
            "new/shop.yaml": cleanPolicy.replacingOccurrences(of: "defaults: { ttl: 10m }", with: "defaults: { ttl: 1h }"),
        ])
        defer { folder.remove() }
        let run = CapturedRun()
        #expect(run.run(["diff", "--against", folder.path + "/old", folder.path + "/new"]) == 0)
        #expect(run.out.contains("warning: [FRESHNESS] the TTL of 'shop.cart' rises from 10m to 1h"), "\(run.out)")
    }

    @Test func badInputIsAnErrorNotAGuess() async throws {
        let folder = try await repository(["policies/shop.yaml": cleanPolicy])
        defer { folder.remove() }
        let policies = folder.path + "/policies"
        let unknown = CapturedRun()
        #expect(unknown.run(["diff", "--against", "no-such-ref", policies]) == 2)
        #expect(unknown.err.contains("'no-such-ref' is neither a folder nor a git revision"))
        let category = CapturedRun()
        #expect(category.run(["diff", "--against", "HEAD", "--fail-on", "KEYSPACE,SPEED", policies]) == 2)
        #expect(category.err.contains("unknown category 'SPEED'"))
        try "version: 1\nservice: shop\nkeys: [" .write(toFile: folder.path + "/policies/shop.yaml", atomically: true, encoding: .utf8)
        let broken = CapturedRun()
        #expect(broken.run(["diff", "--against", "HEAD", policies]) == 1)
        #expect(broken.err.contains("cannot compare: the new policies have 1 error"), "\(broken.err)")
    }
}
