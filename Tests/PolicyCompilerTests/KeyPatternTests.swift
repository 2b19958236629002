import Testing
@testable import PolicyCompiler

/// Where a pattern's segments are: derived from its text when the policy spells it one-to-one,
/// the scalar's own location otherwise, and listed for patterns the compiler puts together.
@Suite("Key pattern segment locations")
struct KeyPatternTests {
    private static let policy = """
        version: 1
        service: shop
        defaults:
          ttl: 5m
        params:
          userId: uuid
          page: int
        keys:
          plain:
            pattern: shop:é:{userId}:{page}
            value: A
            tags: ["user:😀:{userId}"]
          quoted:
            pattern: "shop:q:{userId}"
            value: B
          escaped:
            pattern: "shop:\\u00e9s:{userId}"
            value: C
          apostrophe:
            pattern: 'shop:it''s:{userId}'
            value: D
          folded:
            pattern: >-
              shop:f:{userId}
            value: E
          versioned:
            pattern: shop:v:{userId}
            keyVersion: 2
            value: F
          anchored:
            pattern: &p "shop:a:{userId}"
            value: G
          aliased:
            pattern: *p
            value: H

        """

    private func families() throws -> [String: KeyFamily] {
        let file = SourceFile(path: "shop.yaml", bytes: Array(Self.policy.utf8))
        var bag = DiagnosticBag()
        let read = YAMLReader.read(file, diagnostics: &bag)
        let root = try #require(read)
        var decoder = PolicyDecoder(file: file.path)
        let decoded = decoder.decodeService(root)
        let service = try #require(decoded)
        #expect(decoder.diagnostics.diagnostics.isEmpty, "\(decoder.diagnostics.diagnostics)")
        return Dictionary(uniqueKeysWithValues: service.keys.map { ($0.name.value, $0) })
    }

    private func columns(_ pattern: KeyPattern) -> [Int] { pattern.segmentLocations.map(\.column) }

    @Test func oneToOneSpellingsPlaceEachSegmentByScalars() throws {
        let keys = try families()
        // 'é' is two bytes and one column; 😀 is four bytes and one column.
        let plain = try #require(keys["plain"]).pattern
        #expect(columns(plain) == [14, 19, 21, 30])
        #expect(plain.segmentLocations.allSatisfy { $0.line == 10 })
        let tag = try #require(keys["plain"]?.tags.first)
        #expect(columns(tag) == [13, 18, 20])
        #expect(columns(try #require(keys["quoted"]).pattern) == [15, 20, 22])
    }

    @Test func otherSpellingsPlaceEverySegmentAtTheScalar() throws {
        let keys = try families()
        #expect(columns(try #require(keys["escaped"]).pattern) == [14, 14, 14])
        #expect(columns(try #require(keys["apostrophe"]).pattern) == [14, 14, 14])
        let folded = try #require(keys["folded"]).pattern
        #expect(folded.segmentLocations == Array(repeating: folded.location, count: 3))
        #expect(folded.location.line == 23)
        // An anchor comes before the quote; an alias's value is spelled elsewhere.
        #expect(columns(try #require(keys["anchored"]).pattern) == [14, 14, 14])
        let aliased = try #require(keys["aliased"]).pattern
        #expect(aliased.text == "shop:a:{userId}")
        #expect(aliased.segmentLocations.map(\.line) == [34, 34, 34])
        #expect(columns(aliased) == [14, 14, 14])
    }

    @Test func aKeyVersionSegmentIsWhereTheVersionIs() throws {
        let pattern = try #require(try families()["versioned"]).pattern
        #expect(pattern.text == "shop:v:{userId}:v2")
        #expect(columns(pattern) == [14, 19, 21, 17])
        #expect(pattern.segmentLocations.map(\.line) == [27, 27, 27, 28])
    }

    @Test func oneSegmentsLocationIsTheSameAsInTheList() throws {
        for family in try families().values {
            for pattern in [family.pattern] + family.tags {
                for (index, location) in pattern.segmentLocations.enumerated() {
                    #expect(pattern.location(ofSegment: index) == location, "\(pattern.text) segment \(index)")
                }
                #expect(pattern.location == pattern.segmentLocations[0])
            }
        }
        let plain = try #require(try families()["plain"]).pattern
        #expect(plain.location(ofParam: "page").column == 30)
    }

    /// Families carrying the same tag share its parsed segments; each keeps its own locations.
    @Test func aRepeatedTagIsPlacedWhereEachFamilyWritesIt() throws {
        let text = """
            version: 1
            service: shop
            defaults: { ttl: 5m, codec: string }
            params: { userId: uuid }
            keys:
              a: { pattern: "shop:a:{userId}", tags: ["user:{userId}", "all"] }
              b: { pattern: "shop:b:{userId}", tags: ['user:{userId}'] }
              c: { pattern: "shop:c:{userId}", tags: ["us\\u0065r:{userId}"] }
              d:
                pattern: "shop:d:{userId}"
                tags:
                  - user:{userId}
                  - "us:{userId}"

            """
        let file = SourceFile(path: "shop.yaml", bytes: Array(text.utf8))
        var bag = DiagnosticBag()
        let read = YAMLReader.read(file, diagnostics: &bag)
        let root = try #require(read, "\(bag.diagnostics)")
        var decoder = PolicyDecoder(file: file.path)
        let decoded = decoder.decodeService(root)
        let keys = try #require(decoded).keys
        let user = keys.map { $0.tags[0] }
        #expect(user.allSatisfy { $0.text == "user:{userId}" && $0.segments == user[0].segments })
        #expect(user.map { $0.location.line } == [6, 7, 8, 12])
        // The column (1-based) where `needle` starts on a line of the policy (all ASCII).
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        func column(_ needle: String, line: Int) -> Int {
            let text = lines[line - 1]
            return text.distance(from: text.startIndex, to: text.firstRange(of: needle)!.lowerBound) + 1
        }
        let a = column("user:", line: 6), b = column("user:", line: 7), c = column("\"us\\", line: 8), d = column("user:", line: 12)
        #expect(user.map(columns) == [[a, a + 5], [b, b + 5], [c, c], [d, d + 5]])
        #expect(keys[0].tags[1].text == "all" && keys[3].tags[1].segments == [.literal("us"), .hole("userId")])
    }

    @Test func equalityDoesNotDependOnHowLocationsAreKept() throws {
        let plain = try #require(try families()["plain"]).pattern
        let listed = KeyPattern(text: plain.text, segments: plain.segments, segmentLocations: plain.segmentLocations)
        #expect(listed == plain)
        #expect(listed.hashValue == plain.hashValue)
        var moved = plain.segmentLocations
        moved[2] = moved[2].advanced(by: 1)
        #expect(KeyPattern(text: plain.text, segments: plain.segments, segmentLocations: moved) != plain)
    }
}
