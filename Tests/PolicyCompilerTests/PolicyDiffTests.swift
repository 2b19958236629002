import Testing
@testable import PolicyCompiler

/// One before/after pair per diff rule: the change and the code it must produce.
@Suite("cachepolicy diff: one before/after pair per rule")
struct PolicyDiffTests {
    static let users = """
        version: 1
        service: users
        defaults: { ttl: 10m }
        params: { userId: uuid, page: int }
        keys:
          profile: { pattern: "users:profile:{userId}", value: Profile, tags: ["user:{userId}"], dependsOn: [user] }
          history: { pattern: "users:history:{userId}:{page}", value: "[Entry]", compress: { over: 1KB }, dependsOn: [user] }
        events:
          user.updated:
            payload: { userId: uuid, name: string }
            mutates: [user]
        invalidate:
          user.updated:
            - profile
            - pattern: "users:history:{userId}:*"
        warmup:
          hot-profiles: { keys: [profile], source: hotProfiles, every: 5m }

        """

    static let mail = """
        version: 1
        service: mail
        defaults: { ttl: 10m }
        params: { userId: uuid }
        keys:
          inbox: { pattern: "mail:inbox:{userId}", value: Inbox, dependsOn: [user] }
        invalidate:
          user.updated: [inbox]

        """

    /// `(name, change to users.yaml, change to mail.yaml, expected code)`.
    static let cases: [(String, @Sendable (String) -> String, @Sendable (String) -> String, DiagnosticCode)] = [
        ("pattern changed", { $0.replacingOccurrences(of: "users:profile:{userId}", with: "users:p:{userId}") }, { $0 }, .keyPatternChanged),
        ("param retyped", { $0.replacingOccurrences(of: "page: int", with: "page: string") }, { $0 }, .keyEncodingChanged),
        ("hash tag added", { $0.replacingOccurrences(of: "{ pattern: \"users:history:{userId}:{page}\",", with: "{ pattern: \"users:history:{userId}:{page}\", slot: userId,") }, { $0 }, .keyEncodingChanged),
        ("codec changed", { $0.replacingOccurrences(of: "value: Profile,", with: "codec: string,") }, { $0 }, .valueFormatChanged),
        ("compression turned off", { $0.replacingOccurrences(of: "compress: { over: 1KB }, ", with: "") }, { $0 }, .valueFormatChanged),
        ("value type changed", { $0.replacingOccurrences(of: "value: \"[Entry]\"", with: "value: \"[Entry2]\"") }, { $0 }, .valueFormatChanged),
        ("consumed event removed",
         { $0.replacingOccurrences(of: "  user.updated:\n    payload: { userId: uuid, name: string }\n    mutates: [user]\n", with: "")
             .replacingOccurrences(of: "invalidate:\n  user.updated:\n    - profile\n    - pattern: \"users:history:{userId}:*\"\n", with: "")
             .replacingOccurrences(of: ", dependsOn: [user]", with: "") },
         { $0.replacingOccurrences(of: "invalidate:\n  user.updated: [inbox]\n", with: "").replacingOccurrences(of: ", dependsOn: [user]", with: "") },
         .consumedEventRemoved),
        ("payload field removed", { $0.replacingOccurrences(of: "payload: { userId: uuid, name: string }", with: "payload: { userId: uuid }") }, { $0 }, .payloadFieldChanged),
        ("payload field retyped", { $0.replacingOccurrences(of: "name: string }", with: "name: int }") }, { $0 }, .payloadFieldChanged),
        ("invalidation removed", { $0.replacingOccurrences(of: "    - pattern: \"users:history:{userId}:*\"\n", with: "") }, { $0 }, .invalidationRemoved),
        ("tag removed", { $0.replacingOccurrences(of: ", tags: [\"user:{userId}\"]", with: "") }, { $0 }, .tagRemoved),
        ("dependency removed", { $0.replacingOccurrences(of: "value: Profile, tags: [\"user:{userId}\"], dependsOn: [user]", with: "value: Profile, tags: [\"user:{userId}\"]") }, { $0 }, .dependencyRemoved),
        ("TTL raised", { $0.replacingOccurrences(of: "defaults: { ttl: 10m }", with: "defaults: { ttl: 1h }") }, { $0 }, .ttlRaised),
        ("staleness widened", { $0 }, { $0.replacingOccurrences(of: "invalidate:\n  user.updated: [inbox]\n", with: "") }, .stalenessWidened),
        ("family removed", { $0.replacingOccurrences(of: "  history: { pattern: \"users:history:{userId}:{page}\", value: \"[Entry]\", compress: { over: 1KB }, dependsOn: [user] }\n", with: "")
            .replacingOccurrences(of: "    - pattern: \"users:history:{userId}:*\"\n", with: "") }, { $0 }, .apiRemoved),
        ("builder param renamed", { $0.replacingOccurrences(of: "{page}", with: "{index}").replacingOccurrences(of: "page: int", with: "index: int") }, { $0 }, .builderSignatureChanged),
        ("loader requirement added", { $0 + "  cold-profiles: { keys: [profile], source: coldProfiles, every: 5m }\n" }, { $0 }, .generatedRequirementAdded),
    ]

    @Test(arguments: cases.indices)
    func eachRuleFires(_ index: Int) throws {
        let (name, changeUsers, changeMail, code) = Self.cases[index]
        let before = compile(["users.yaml": Self.users, "mail.yaml": Self.mail])
        let after = compile(["users.yaml": changeUsers(Self.users), "mail.yaml": changeMail(Self.mail)])
        let old = try #require(before.program, "\(before.diagnostics.map(\.message))")
        let new = try #require(after.program, "\(name): the changed policies must compile: \(after.diagnostics.map(\.message))")
        let changes = PolicyDiff.compare(old: old, new: new)
        #expect(changes.contains { $0.code == code }, "\(name): expected \(code), got \(changes.map { "\($0.code) \($0.message)" })")
        let category = PolicyDiff.categories[code]!
        let finding = changes.first { $0.code == code }
        #expect(finding?.message.hasPrefix("[\(category.rawValue)] ") == true)
        #expect(finding?.severity == (ChangeCategory.defaultFailing.contains(category) ? .error : .warning))
    }

    @Test func identicalPoliciesHaveNoChanges() throws {
        let program = try #require(compile(["users.yaml": Self.users, "mail.yaml": Self.mail]).program)
        #expect(PolicyDiff.compare(old: program, new: program).isEmpty)
    }

    @Test func aKeyVersionBumpMakesAFormatChangeSafe() throws {
        let old = try #require(compile(["users.yaml": Self.users, "mail.yaml": Self.mail]).program)
        let retyped = Self.users.replacingOccurrences(of: "value: \"[Entry]\",", with: "value: \"[Entry2]\", keyVersion: 2,")
        let new = try #require(compile(["users.yaml": retyped, "mail.yaml": Self.mail]).program)
        #expect(new.service("users")?.key("history")?.pattern.text == "users:history:{userId}:{page}:v2")
        let changes = PolicyDiff.compare(old: old, new: new)
        #expect(!changes.contains { $0.code == .valueFormatChanged || $0.code == .keyPatternChanged }, "\(changes.map(\.message))")
        // Without the bump, the hint says which version to declare.
        let unbumped = try #require(compile(["users.yaml": Self.users.replacingOccurrences(of: "\"[Entry]\"", with: "\"[Entry2]\""), "mail.yaml": Self.mail]).program)
        #expect(PolicyDiff.compare(old: old, new: unbumped).first { $0.code == .valueFormatChanged }?.hint?.contains("'keyVersion: 2'") == true)
    }

    @Test func renamingAParamKeepsTheKeysButNotTheBuilder() throws {
        let old = try #require(compile(["users.yaml": Self.users, "mail.yaml": Self.mail]).program)
        let renamed = Self.users.replacingOccurrences(of: "{page}", with: "{index}").replacingOccurrences(of: "page: int", with: "index: int")
        let new = try #require(compile(["users.yaml": renamed, "mail.yaml": Self.mail]).program)
        let codes = PolicyDiff.compare(old: old, new: new).map(\.code)
        #expect(codes == [.builderSignatureChanged], "keys are the same bytes; only the Swift label changes")
    }

    @Test func addingAPayloadFieldIsSafeOnTheWire() throws {
        let old = try #require(compile(["users.yaml": Self.users, "mail.yaml": Self.mail]).program)
        let added = Self.users.replacingOccurrences(of: "name: string }", with: "name: string, email: string }")
        let new = try #require(compile(["users.yaml": added, "mail.yaml": Self.mail]).program)
        let changes = PolicyDiff.compare(old: old, new: new)
        #expect(changes.map(\.code) == [.builderSignatureChanged])
        #expect(changes.allSatisfy { $0.severity == .warning })
    }

    @Test func failOnChoosesWhatIsAnError() throws {
        let old = try #require(compile(["users.yaml": Self.users, "mail.yaml": Self.mail]).program)
        let raised = Self.users.replacingOccurrences(of: "defaults: { ttl: 10m }", with: "defaults: { ttl: 1h }")
        let new = try #require(compile(["users.yaml": raised, "mail.yaml": Self.mail]).program)
        #expect(PolicyDiff.compare(old: old, new: new).allSatisfy { $0.severity == .warning })
        #expect(PolicyDiff.compare(old: old, new: new, failOn: [.freshness]).allSatisfy { $0.severity == .error })
    }
}
