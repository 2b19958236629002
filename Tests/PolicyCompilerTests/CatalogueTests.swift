import Foundation
import Testing
@testable import PolicyCompiler

@Suite("Diagnostics catalogue")
struct CatalogueTests {
    @Test func codesAreUniqueAndDocumented() {
        let codes = DiagnosticCatalogue.entries.map(\.code)
        #expect(Set(codes).count == codes.count)
        #expect(Set(DiagnosticCatalogue.entries.map(\.name)).count == codes.count)
        for entry in DiagnosticCatalogue.entries {
            #expect(entry.code.rawValue.wholeMatch(of: /CP[1-9][0-9]{2}/) != nil)
            #expect(!entry.summary.isEmpty && entry.explanation.count > 40, "\(entry.code)")
        }
    }

    @Test func lookupIsLenient() {
        #expect(DiagnosticCatalogue.lookup("cp104")?.code == .duplicateKey)
        #expect(DiagnosticCatalogue.lookup("104")?.code == .duplicateKey)
        #expect(DiagnosticCatalogue.lookup("CP999") == nil)
    }

    /// docs/diagnostics.md is generated; regenerate with `cachepolicy explain --all --markdown`.
    @Test func docsAreInSync() throws {
        let docs = try String(contentsOfFile: packageRoot + "/docs/diagnostics.md", encoding: .utf8)
        #expect(docs == DiagnosticCatalogue.markdown(), "run: swift run cachepolicy explain --all --markdown > docs/diagnostics.md")
    }

    @Test func everyCodeHasARuleTest() throws {
        // Each code must appear in some rule test as `.name`.
        let folder = packageRoot + "/Tests/PolicyCompilerTests"
        let sources = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix("Tests.swift") }
            .map { try String(contentsOfFile: folder + "/" + $0, encoding: .utf8) }.joined()
        let names = [
            "yamlSyntax", "tabIndentation", "invalidUTF8", "multipleDocuments", "duplicateKey", "aliasLimit", "depthLimit",
            "fileTooLarge", "unsupportedYAML", "emptyFile", "unknownField", "typeMismatch", "missingField",
            "invalidDuration", "invalidSize", "invalidPercentage", "invalidIdentifier", "invalidValue", "invalidPattern",
            "invalidNumber", "unknownParam", "unusedParam", "unknownKeyFamily", "unknownEvent", "unknownService",
            "payloadMissingParam", "duplicateService", "duplicateEvent", "duplicateKeyFamily", "bindTypeMismatch",
            "invalidBinding", "crossServiceKey", "unmutatedEntity", "keyOverlap", "patternStartsWithHole",
            "patternCrossesService", "patternMatchesNothing", "overInvalidation", "patternNotIndexable", "staleOnEvent", "ttlZero", "ttlAbsurd", "warmupOutlivesTTL",
            "thresholdOutOfRange", "jitterTooLarge", "backoffAboveMax", "compressionIneffective", "reservedName",
            "nameCollision", "keyPatternChanged", "keyEncodingChanged", "valueFormatChanged", "consumedEventRemoved",
            "payloadFieldChanged", "invalidationRemoved", "tagRemoved", "dependencyRemoved", "ttlRaised", "stalenessWidened",
            "apiRemoved", "builderSignatureChanged", "generatedRequirementAdded",
            "secretInPolicy", "invalidRedisURL", "platformFile", "sharedACLUser", "hashTagConflict", "crossSlot",
        ]
        #expect(names.count == DiagnosticCatalogue.entries.count)
        for name in names {
            let used = [",", ")", " ", "}"].contains { sources.contains(".\(name)\($0)") }
            #expect(used, "no rule test uses .\(name)")
        }
    }
}
