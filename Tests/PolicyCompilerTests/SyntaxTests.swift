import Testing
@testable import PolicyCompiler

@Suite("Syntax rules (CP1xx)")
struct SyntaxTests {
    @Test func goodPolicyIsClean() {
        let result = compile(goodPolicy)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        #expect(result.program != nil)
    }

    @Test func malformedYAML() {
        let result = compile("version: 1\nservice: shop\nkeys:\n  cart: [a, b\n")
        let finding = expectFinding(result, .yamlSyntax, line: 5, column: 1)
        #expect(finding?.message.contains("flow sequence") == true)
        #expect(result.program == nil)
    }

    @Test func unquotedColonValueGetsHint() {
        let result = compile("version: 1\nservice: shop\ndescription: a: b\n")
        let finding = expectFinding(result, .yamlSyntax, line: 3, column: 15)
        #expect(finding?.hint?.contains("quote") == true)
    }

    @Test func tabIndentation() {
        let result = compile("version: 1\nservice: shop\nkeys:\n\tcart:\n  \t  pattern: x\n")
        let tabs = result.diagnostics.filter { $0.code == .tabIndentation }
        #expect(tabs.map(\.location.line) == [4, 5])
        #expect(tabs.map(\.location.column) == [1, 3])
        #expect(result.diagnostics.count == 2, "libyaml's own error is not reported on top")
    }

    @Test func tabsAfterContentAreFine() {
        expectNoFinding(compile(goodPolicy.replacingOccurrences(of: "version: 1", with: "version:\t1")), .tabIndentation)
    }

    @Test func invalidUTF8() {
        var bytes = Array("version: 1\nservice: sh".utf8)
        bytes.append(0xC3)  // a lead byte with no continuation
        bytes.append(contentsOf: Array("op\n".utf8))
        let result = Compiler().compile([SourceFile(path: "shop.yaml", bytes: bytes)])
        expectFinding(result, .invalidUTF8, line: 2, column: 12)
    }

    @Test func overlongAndSurrogateEncodingsAreInvalid() {
        #expect(UTF8Validation.firstInvalidByte(in: [0xC0, 0x80]) == 0)
        #expect(UTF8Validation.firstInvalidByte(in: [0x41, 0xED, 0xA0, 0x80]) == 1)
        #expect(UTF8Validation.firstInvalidByte(in: [0xF4, 0x90, 0x80, 0x80]) == 0)
        #expect(UTF8Validation.firstInvalidByte(in: Array("héllo ✓ 🎉".utf8)) == nil)
    }

    @Test func multipleDocuments() {
        let result = compile(goodPolicy + "---\nversion: 1\nservice: other\n")
        expectFinding(result, .multipleDocuments, line: 19, column: 1)
    }

    @Test func duplicateKeys() {
        let result = compile(shop(replacing: "    value: Cart\n", with: "    value: Cart\n    value: Basket\n"))
        let finding = expectFinding(result, .duplicateKey, line: 11, column: 5)
        #expect(finding?.related.first?.location.line == 10)
    }

    @Test func duplicateKeyFamilies() {
        let result = compile(shop(replacing: "events:", with: "  cart:\n    pattern: \"shop:other:{userId}\"\n    value: X\nevents:"))
        expectFinding(result, .duplicateKey, line: 12, column: 3)
    }

    @Test func billionLaughsIsBounded() {
        var text = "version: 1\nservice: shop\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 {
            let previous = "*a\(level - 1)"
            text += "a\(level): &a\(level) [\(Array(repeating: previous, count: 10).joined(separator: ", "))]\n"
        }
        let result = compile(text)
        let finding = result.diagnostics.first { $0.code == .aliasLimit }
        #expect(finding != nil)
        #expect(finding?.location.line ?? 0 >= 4)
    }

    @Test func smallAliasesAreAllowed() {
        let text = shop(replacing: "  ttl: 10m", with: "  ttl: &short 10m").replacingOccurrences(of: "    value: Cart", with: "    value: Cart\n    ttl: *short")
        let result = compile(text)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
    }

    @Test func depthLimit() {
        let nested = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        let result = compile("version: 1\nservice: shop\ndescription: \(nested)\n")
        expectFinding(result, .depthLimit, line: 3, column: 77)
    }

    @Test func fileTooLarge() {
        let result = compile(goodPolicy, limits: SyntaxLimits(maxFileSize: 100))
        expectFinding(result, .fileTooLarge, line: 1, column: 1)
    }

    @Test func mergeKeysAreRejected() {
        let result = compile("version: 1\nservice: shop\nbase: &b { ttl: 1m }\ndefaults:\n  <<: *b\n")
        expectFinding(result, .unsupportedYAML, line: 5, column: 3)
    }

    @Test func customTagsAreRejected() {
        let result = compile("version: 1\nservice: !custom shop\n")
        expectFinding(result, .unsupportedYAML, line: 2, column: 10)
    }

    @Test func emptyFile() {
        expectFinding(compile("# only a comment\n"), .emptyFile, line: 1, column: 1)
        expectFinding(compile(""), .emptyFile, line: 1, column: 1)
    }

    @Test func undefinedAlias() {
        let result = compile("version: 1\nservice: *nothing\n")
        expectFinding(result, .yamlSyntax, line: 2, column: 10)
    }
}
