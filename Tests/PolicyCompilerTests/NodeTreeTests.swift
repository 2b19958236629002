import Testing
@testable import PolicyCompiler

/// The reader's flat node tree: every collection's children side by side in one array per file.
@Suite("Node tree")
struct NodeTreeTests {
    func read(_ text: String) -> (Node?, [Diagnostic]) {
        var diagnostics = DiagnosticBag()
        let root = YAMLReader.read(SourceFile(path: "tree.yaml", text: text), diagnostics: &diagnostics)
        return (root, diagnostics.sorted)
    }

    func pairs(_ node: Node?) -> Node.Pairs? {
        guard let node, case .mapping(let pairs) = node.kind else { return nil }
        return pairs
    }

    func items(_ node: Node?) -> Node.Items? {
        guard let node, case .sequence(let items) = node.kind else { return nil }
        return items
    }

    @Test func nestedCollectionsReadBackInOrderWithLocations() throws {
        let (root, diagnostics) = read("a: 1\nlist:\n  - x\n  - { k: v, n: [1, 2] }\n  - [p, q]\nz: !!str 9\n")
        #expect(diagnostics.isEmpty)
        let top = try #require(pairs(root))
        #expect(top.map(\.key) == ["a", "list", "z"])
        #expect(top.map(\.keyLocation.line) == [1, 2, 6])
        let list = try #require(items(top.value(forKey: "list")))
        #expect(list.count == 3)
        #expect(list[0].scalar?.value == "x")
        #expect(list[0].location.line == 3 && list[0].location.column == 5)
        let inner = try #require(pairs(list[1]))
        #expect(inner.map(\.key) == ["k", "n"])
        #expect(items(inner.value(forKey: "n"))?.compactMap(\.scalar?.value) == ["1", "2"])
        #expect(items(list[2])?.compactMap(\.scalar?.value) == ["p", "q"])
        let tagged = try #require(top.value(forKey: "z")?.scalar)
        #expect(tagged.value == "9" && tagged.tag == "tag:yaml.org,2002:str" && !tagged.isPlain)
        // Sizes bound alias expansion: a mapping counts itself, each key and each value's nodes.
        #expect(inner.value(forKey: "n")?.size == 3)
        #expect(list[1].size == 1 + 2 + 1 + 3)
    }

    @Test func anAliasSharesItsTargetButHasItsOwnLocation() throws {
        let (root, diagnostics) = read("base: &b { ttl: 1m, tags: [x, y] }\ncopy: *b\n")
        #expect(diagnostics.isEmpty)
        let top = try #require(pairs(root))
        let base = try #require(top.value(forKey: "base"))
        let copy = try #require(top.value(forKey: "copy"))
        #expect(copy.location.line == 2 && copy.location.column == 7)
        #expect(pairs(copy)?.map(\.key) == ["ttl", "tags"])
        #expect(items(pairs(copy)?.value(forKey: "tags"))?.compactMap(\.scalar?.value) == ["x", "y"])
        #expect(copy.size == base.size)
    }

    /// A scalar read as a value and used again as a key through an alias is found like any key.
    @Test func anAliasedValueCanBeAKey() throws {
        let (root, diagnostics) = read("a: &k name\n*k : 1\nlong: &l a-value-longer-than-sixteen\n*l : 2\n")
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let top = try #require(pairs(root))
        #expect(top.map(\.key) == ["a", "name", "long", "a-value-longer-than-sixteen"])
        #expect(top.value(forKey: "name")?.scalar?.value == "1")
        #expect(top.value(forKey: "a-value-longer-than-sixteen")?.scalar?.value == "2")
        #expect(top.value(forKey: "a")?.scalar?.value == "name")
    }

    /// ASCII keys that fit are kept only packed: their text, read as a key or (through an alias of
    /// an anchored key) as a value, is the same as any other scalar's.
    @Test func packedKeysReadBackAsText() throws {
        let text = "&k sixteen-byte-key: 1\nx: *k\n\u{E9}t\u{E9}: 2\nseventeen-byte-ky: 3\n\"q\": 4\n\"\": 5\n"
        let (root, diagnostics) = read(text)
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let top = try #require(pairs(root))
        #expect(top.map(\.key) == ["sixteen-byte-key", "x", "\u{E9}t\u{E9}", "seventeen-byte-ky", "q", ""])
        #expect(top.value(forKey: "x")?.scalar?.value == "sixteen-byte-key")
        #expect(top.value(forKey: "q")?.scalar?.value == "4")
        #expect(top.value(forKey: "")?.scalar?.value == "5")
        // The merge key is refused whether or not its text was kept.
        let (_, merge) = read("base: &b { a: 1 }\ncopy:\n  <<: *b\n")
        #expect(merge.contains { $0.code == .unsupportedYAML && $0.message.contains("merge keys") })
        // A duplicate in a mapping large enough to be indexed by text is still found.
        let many = (0..<40).map { "k\($0): \($0)\n" }.joined() + "k7: again\n"
        #expect(read(many).1.contains { $0.code == .duplicateKey && $0.message.contains("'k7'") })
    }

    /// Keys are compared as packed integers up to 16 bytes and as text beyond: keys that share
    /// their first 8 or 16 bytes, non-ASCII keys and long keys are all told apart.
    @Test func keysAreFoundExactly() throws {
        let keys = ["abcdefgh", "abcdefghi", "abcdefghijklmnop", "abcdefghijklmnopq", "abcdefghijklmnopr", "é", "", "a"]
        let text = keys.enumerated().map { "\"\($0.element)\": \($0.offset)" }.joined(separator: "\n") + "\n"
        let (root, diagnostics) = read(text)
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let top = try #require(pairs(root))
        for (offset, key) in keys.enumerated() {
            #expect(top.value(forKey: key)?.scalar?.value == String(offset), "\(key)")
            #expect(top.contains(key: key))
        }
        #expect(top.value(forKey: "abcdefghijklmnopqr") == nil)
        #expect(top.value(forKey: "abcdefg") == nil)
        #expect(!top.contains(key: "b"))
        #expect(!top.contains(key: "e\u{301}"), "a lookup compares bytes")
        // Two keys that are the same text in another normalisation are one key twice.
        let (_, twice) = read("\"é\": 1\n\"e\u{301}\": 2\n")
        #expect(twice.map(\.code) == [.duplicateKey])
    }

    /// Duplicates are found by a linear search in small mappings and by an index past 32 pairs.
    @Test(arguments: [3, 40])
    func aDuplicateKeyIsReportedAtTheSecond(pairCount: Int) throws {
        var lines = (0..<pairCount).map { "k\($0): \($0)" }
        lines.append("k1: again")
        lines.append("last: end")
        let (root, diagnostics) = read(lines.joined(separator: "\n") + "\n")
        let duplicate = try #require(diagnostics.first { $0.code == .duplicateKey })
        #expect(duplicate.location.line == pairCount + 1)
        #expect(duplicate.related.first?.location.line == 2)
        let top = try #require(pairs(root))
        #expect(top.count == pairCount + 1, "the duplicate is dropped")
        #expect(top.value(forKey: "k1")?.scalar?.value == "1")
        #expect(top.value(forKey: "last")?.scalar?.value == "end")
    }

    /// Open mappings' key indexes are kept beside them, innermost last: nested indexed mappings
    /// each find their own duplicates, whether the outer one was indexed before the inner one
    /// opened or only after it closed, and a key of one level is not a duplicate in another.
    @Test func nestedIndexedMappingsEachFindTheirOwnDuplicates() throws {
        func block(_ prefix: String, _ range: Range<Int>, indent: String = "") -> [String] {
            range.map { "\(indent)\(prefix)\($0): \($0)" }
        }
        var lines = block("k", 0..<40)
        lines += ["inner:"] + block("i", 0..<40, indent: "  ") + ["  i3: again", "  k5: not-a-duplicate"]
        lines += ["k5: again", "small:", "  k19: not-a-duplicate", "k19: again"]
        // Indexed only after an indexed inner mapping closed.
        lines += ["later:"] + block("o", 0..<10, indent: "  ") + ["  big:"] + block("b", 0..<40, indent: "    ")
        lines += ["    b4: again"] + block("o", 10..<40, indent: "  ") + ["  o2: again"]
        let (root, diagnostics) = read(lines.joined(separator: "\n") + "\n")
        let duplicates = diagnostics.filter { $0.code == .duplicateKey }
        #expect(duplicates.map(\.location.line) == [82, 84, 87, 140, 171], "\(duplicates)")
        #expect(duplicates.map(\.message) == ["i3", "k5", "k19", "b4", "o2"].map { "'\($0)' is already defined in this mapping" })
        #expect(diagnostics.count == duplicates.count)
        let top = try #require(pairs(root))
        #expect(pairs(top.value(forKey: "inner"))?.value(forKey: "k5")?.scalar?.value == "not-a-duplicate")
        #expect(pairs(top.value(forKey: "later"))?.count == 41)
    }

    /// Nested anchored collections each get their own anchor when they end.
    @Test func nestedAnchorsNameTheirOwnCollections() throws {
        let (root, diagnostics) = read("outer: &o\n  list: &l [a, b]\n  inner: &i { x: 1 }\ncopyO: *o\ncopyL: *l\ncopyI: *i\n")
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let top = try #require(pairs(root))
        #expect(pairs(top.value(forKey: "copyO"))?.map(\.key) == ["list", "inner"])
        #expect(items(top.value(forKey: "copyL"))?.compactMap(\.scalar?.value) == ["a", "b"])
        #expect(pairs(top.value(forKey: "copyI"))?.map(\.key) == ["x"])
    }

    /// A rejected key drops its value, and the mapping's other entries stay paired.
    @Test func aRejectedKeyDropsItsValue() throws {
        let (root, diagnostics) = read("a: 1\n? [x]\n: 2\nb: 3\n")
        #expect(diagnostics.contains { $0.code == .unsupportedYAML && $0.message.contains("not a list") })
        let top = try #require(pairs(root))
        #expect(top.map(\.key) == ["a", "b"])
        #expect(top.value(forKey: "b")?.scalar?.value == "3")
    }

    /// Packed keys are equal exactly when their bytes are, at every length a key can be packed at.
    @Test func packedTextIsItsBytes() {
        var random = SystemRandomNumberGenerator()
        for length in 0...16 {
            for _ in 0..<50 {
                let a = (0..<length).map { _ in UInt8.random(in: 0x61...0x63, using: &random) }
                var b = a
                if !b.isEmpty, Bool.random(using: &random) { b[Int.random(in: 0..<length, using: &random)] ^= 0x80 }
                let x = a.withUnsafeBufferPointer { NodeTree.PackedText($0) }!
                let y = b.withUnsafeBufferPointer { NodeTree.PackedText($0) }!
                #expect((x == y) == (a == b))
                #expect(x.isASCII && y.isASCII == b.allSatisfy { $0 < 0x80 })
                #expect(NodeTree.PackedText(String(decoding: a, as: UTF8.self)) == x)
            }
        }
        #expect([UInt8](repeating: 0x61, count: 17).withUnsafeBufferPointer { NodeTree.PackedText($0) } == nil)
        // A shorter key is not a longer one padded with NULs.
        #expect(NodeTree.PackedText("ab") != NodeTree.PackedText("ab\u{0}"))
    }

    /// YAML's plain nulls, and the near misses that are text.
    @Test func scalarNulls() {
        for null in ["", "~", "null", "Null", "NULL"] {
            #expect(Scalar(null).isNull, "\(null)")
            #expect(Scalar(null, tag: "tag:yaml.org,2002:null").isNull)
            #expect(!Scalar(null, style: .doubleQuoted).isNull)
            #expect(!Scalar(null, tag: "tag:yaml.org,2002:str").isNull)
        }
        for text in ["~~", "nul", "nulls", "NuLL", "none", " ", "0", "\u{FF5E}"] { #expect(!Scalar(text).isNull, "\(text)") }
    }

    @Test func nullsAreEmptyCollectionsForTheDecoder() throws {
        let (root, _) = read("keys:\n")
        let value = try #require(pairs(root)?.value(forKey: "keys"))
        var decoder = PolicyDecoder(file: "tree.yaml")
        #expect(decoder.mapping(value, "keys")?.isEmpty == true)
        #expect(decoder.list(value, "keys")?.isEmpty == true)
        #expect(decoder.diagnostics.diagnostics.isEmpty)
    }
}

