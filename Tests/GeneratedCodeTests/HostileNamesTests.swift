import CacheRuntime
import Foundation
import Testing

/// Generated/ holds what the emitter produces for Tests/PolicyCompilerTests/Fixtures/hostile/hostile.yaml
/// (a golden test in PolicyCompilerTests keeps it in sync). That this target compiles proves the
/// escaping: keyword names, quotes, backslashes, newlines and unicode in names, patterns and text.
@Suite("Generated code with hostile names")
struct HostileNamesTests {
    let id = UUID(uuidString: "3F2B8C1E-9A4D-4E2B-8F1A-0C6D5E4B3A21")!

    @Test func keywordNamedBuildersWork() {
        let key = ClassCache.default(self: id, default: -1, in: "a b", return: .default)
        #expect(key.key == "class:default:3f2b8c1e-9a4d-4e2b-8f1a-0c6d5e4b3a21:-1")
        #expect(key.tags == ["#tag:class:in:a%20b", "#tag:class:ret:default", "#idx:class:class:default:3f2b8c1e-9a4d-4e2b-8f1a-0c6d5e4b3a21:*"])
        #expect(ClassCache.`init`(in: "x", return: ._2fa).key == "class:init:x:2fa")
        #expect(ClassCache.func(is: true).key == "class:\"quoted\":true")
        #expect(ClassCache.Return.creditCard.rawValue == "credit-card")
        #expect(ClassCache.Return.allCases.count == 5)
    }

    @Test func escapedStringsSurviveIntact() {
        #expect(ClassCache.policy.description == "Hostile names: \"quotes\", back\\slashes, a\nnewline, tabs\tand unicode ✓ 日本 \u{202E} */")
        #expect(ClassCache.Families.func.pattern == "class:\"quoted\":{is}")
    }

    @Test func keywordNamedPayloadFields() throws {
        let event = ProtocolDo(self: id, in: "in", default: 7, return: .self, is: false)
        let plan = ClassCache.plan(for: event)
        #expect(plan.keys == [
            "class:default:3f2b8c1e-9a4d-4e2b-8f1a-0c6d5e4b3a21:7", "class:init:in:self", "class:\"quoted\":false",
        ])
        #expect(plan.indexes == ["#idx:class:class:default:3f2b8c1e-9a4d-4e2b-8f1a-0c6d5e4b3a21:*"])
        #expect(plan.patterns.isEmpty)
        // The removed `default` key leaves its index set with it.
        #expect(plan.keyIndexes == [["#idx:class:class:default:3f2b8c1e-9a4d-4e2b-8f1a-0c6d5e4b3a21:*"], [], []])
        let decoded = try ClassCache.plan(forEvent: "protocol.do", payload: JSONEncoder().encode(event))
        #expect(decoded == plan)
    }

    struct Loaders: ClassCache.Loaders {
        func `repeat`(_ warmup: ClassCache.ForInWarmup) async throws {
            try await warmup.default(self: UUID(), default: 1, in: "i", return: .true, value: Holder(text: "t"))
            try await warmup.`init`(in: "i", return: .creditCard, value: "v")
        }
    }

    @Test func keywordNamedLoaders() async throws {
        let entries = try await ClassCache.warmupTasks(Loaders())[0].collect()
        #expect(entries.map(\.family.name) == ["default", "init"])
    }
}
