import TestSupport
import Testing
@testable import PolicyCompiler

/// In a service of many families, tag and pattern invalidations test only the families the index
/// says they can line up with: the answers must be exactly those of testing every family.
@Suite("Segment index")
struct SegmentIndexTests {
    /// A random service of `families` families (patterns and tags of literals and holes, some
    /// sharing literals) and `actions` tag and pattern invalidations (`*` anywhere).
    func randomService(families: Int, actions: Int, seed: UInt64) throws -> Service {
        var random = SeededGenerator(state: seed)
        let literals = ["a", "b", "user", "order", "x1"]
        func segment() -> String {
            Bool.random(using: &random) ? literals.randomElement(using: &random)! : ["{id}", "{n}", "{s}"].randomElement(using: &random)!
        }
        func segments(_ range: ClosedRange<Int>) -> String {
            (0..<Int.random(in: range, using: &random)).map { _ in segment() }.joined(separator: ":")
        }
        var text = "version: 1\nservice: svc\ndefaults: { ttl: 5m, codec: string }\n"
        text += "params: { id: string, n: int, s: { enum: [a, b, zz] } }\n"
        text += "events:\n  svc.changed:\n    payload: { id: string, n: int }\n    mutates: [thing]\nkeys:\n"
        for family in 0..<families {
            let tags = (0..<Int.random(in: 0...2, using: &random)).map { _ in "\"t:\(segments(1...3))\"" }
            text += "  k\(family): { pattern: \"shared:\(segments(1...4))\", tags: [\(tags.joined(separator: ", "))] }\n"
        }
        text += "invalidate:\n  svc.changed:\n"
        for _ in 0..<actions {
            if Bool.random(using: &random) {
                var parts = ["shared"] + (0..<Int.random(in: 1...5, using: &random)).map { _ in Int.random(in: 0..<4, using: &random) == 0 ? "*" : segment() }
                if !parts.contains("*") && Bool.random(using: &random) { parts.append("*") }
                text += "    - { pattern: \"\(parts.joined(separator: ":"))\", scan: true }\n"
            } else {
                text += "    - { tag: \"t:\(segments(1...3))\" }\n"
            }
        }
        let file = SourceFile(path: "svc.yaml", text: text)
        var diagnostics = DiagnosticBag()
        let read = YAMLReader.read(file, diagnostics: &diagnostics)
        let root = try #require(read)
        var decoder = PolicyDecoder(file: file.path)
        let service = decoder.decodeService(root)
        return try #require(service)
    }

    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func reachIsThatOfTestingEveryFamily(seed: UInt64) throws {
        let service = try randomService(families: 3 * SegmentIndex.minimumEntries, actions: 150, seed: seed)
        let reach = FamilyReach(service)
        #expect(SegmentIndex(reach.patterns) != nil, "the service is large enough to be indexed")
        for (index, family) in reach.families.enumerated() {
            #expect(Array(reach.tags(of: index)) == family.tags.map { reach.resolve($0) }, "\(family.name.value)")
        }
        var checked = 0
        for action in service.invalidations.flatMap(\.actions) {
            let expected: [String]
            switch action.target {
            case .key: continue
            case .tag(let tag):
                let wanted = try #require(reach.resolve(tag))
                // Each family's tags resolved on their own, not through the reach's shared storage.
                let tags = reach.families.map { $0.tags.map { reach.resolve($0) } }
                expected = reach.families.indices.filter { index in
                    tags[index].contains { $0.map { SegmentAlgebra.overlaps(wanted, $0) } ?? false }
                }.map { reach.families[$0].name.value }
                let carried = tags.contains { $0.contains { $0.map { SegmentAlgebra.overlaps(wanted, $0) } ?? true } }
                #expect(reach.carriesTag(wanted) == carried, "\(tag.text)")
            case .pattern(let glob):
                let wanted = try #require(reach.resolve(glob))
                expected = reach.families.indices.filter { index in
                    reach.patterns[index].map { SegmentAlgebra.globMatches(wanted, $0) } ?? false
                }.map { reach.families[$0].name.value }
            }
            #expect(reach.families(action.target).map(\.name.value) == expected, "\(action.target)")
            checked += 1
        }
        #expect(checked > 100)
    }

    /// Candidates hold every entry a query lines up with, and leave out those with another
    /// literal (or none) at a position before the query's first `*`.
    @Test func candidatesLeaveOutOnlyWhatCannotLineUp() throws {
        let a: SegmentAlgebra.Segment = .literal("a")
        let b: SegmentAlgebra.Segment = .literal("b")
        let hole: SegmentAlgebra.Segment = .typed(name: "id", .string)
        var entries: [[SegmentAlgebra.Segment]?] = []
        for index in 0..<SegmentIndex.minimumEntries {
            let entry: [SegmentAlgebra.Segment] = switch index % 4 {
            case 0: [a, a]
            case 1: [a, b, b]
            case 2: [a, hole]
            default: [b]
            }
            entries.append(entry)
        }
        entries.append(nil)
        entries.append([a, .wildcard])
        let index = try #require(SegmentIndex(entries))
        let query: [SegmentAlgebra.Segment] = [a, b, .wildcard]
        let candidates = index.candidates(for: query)
        #expect(candidates == candidates.sorted() && Set(candidates).count == candidates.count)
        let expected = entries.indices.filter { entry in
            guard let segments = entries[entry] else { return true }
            return segments.contains(.wildcard) || (segments.count >= 2 && segments[0] == a && (segments[1] == b || segments[1] == hole))
        }
        #expect(candidates == expected)
        // Nothing before the first `*` to go by: every entry.
        #expect(index.candidates(for: [.wildcard, a]) == Array(entries.indices))
        // Longer than every entry without a `*`: only those that may stretch.
        #expect(index.candidates(for: [a, a, a, a, a]) == [entries.count - 2, entries.count - 1])
        #expect(SegmentIndex(Array(entries.prefix(SegmentIndex.minimumEntries - 1))) == nil, "a handful is tested directly")
    }

    /// Many families sharing a first literal across services (one indexed bucket): a pattern
    /// still finds the other service's family it crosses into, its own families, or none.
    @Test func patternsAcrossAnIndexedBucket() {
        func service(_ name: String, families: Int, invalidate: [String]) -> String {
            var text = "version: 1\nservice: \(name)\ndefaults: { ttl: 5m, codec: string }\nparams: { id: string }\n"
            text += "events:\n  \(name).changed:\n    payload: { id: string }\n    mutates: [thing]\nkeys:\n"
            for family in 0..<families { text += "  k\(family): { pattern: \"shared:\(name)\(family):{id}\", dependsOn: [thing] }\n" }
            return text + "invalidate:\n  \(name).changed:\n" + invalidate.map { "    - { pattern: \"\($0)\", scan: true }\n" }.joined()
        }
        let count = SegmentIndex.minimumEntries
        let result = compile([
            "a.yaml": service("a", families: count, invalidate: ["shared:a3:*", "shared:b5:*", "shared:zz:*"]),
            "b.yaml": service("b", families: count, invalidate: ["shared:b7:*"]),
        ])
        let crossing = result.diagnostics.filter { $0.code == .patternCrossesService }
        #expect(crossing.map(\.message) == ["the invalidation pattern 'shared:b5:*' can match keys of 'k5' in the service 'b', e.g. 'shared:b5:x'"], "\(crossing)")
        let nothing = result.diagnostics.filter { $0.code == .patternMatchesNothing }.map(\.message)
        #expect(nothing == [
            "the invalidation pattern 'shared:b5:*' matches no key family of the service 'a', so it deletes nothing",
            "the invalidation pattern 'shared:zz:*' matches no key family of the service 'a', so it deletes nothing",
        ])
    }
}
