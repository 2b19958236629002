import Testing
@testable import PolicyCompiler

/// The naming rules the emitters and the build plugin share.
@Suite("Generated names")
struct GeneratedNamesTests {
    /// ASCII names take a one-pass path; the answers are those of the word-splitting rule.
    @Test(arguments: [
        ("payment", "Payment"), ("user.preferences-updated", "UserPreferencesUpdated"), ("utilityType", "UtilityType"),
        ("9lives", "_9lives"), ("a--b", "AB"), ("-x", "X"), ("x.", "X"), ("_a_b", "AB"), ("", ""), ("ab9", "Ab9"),
        ("ALL", "ALL"), ("v2.0", "V20"), ("é-x", "ÉX"), ("ß", "SS"),
    ])
    func typeNames(name: String, expected: String) {
        #expect(GeneratedNames.typeName(name) == expected)
    }

    /// The keyword test skips the set for capitalised names; it must still find `Any` and `Self`.
    @Test func keywordsAreFoundWithOrWithoutTheSet() {
        for keyword in SwiftNames.keywords { #expect(SwiftNames.isKeyword(keyword), "\(keyword)") }
        for name in ["Book", "Anything", "SELF", "Class", "", "é", "_x", "classes", "Any.Type"] {
            #expect(!SwiftNames.isKeyword(name), "\(name)")
        }
        #expect(SwiftNames.identifier("Self") == "`Self`")
        #expect(SwiftNames.identifier("Book") == "Book")
    }

    @Test func policyFileNames() {
        #expect(GeneratedNames.serviceName(fromPolicyFile: "policies/billing-v2.yaml") == "billing-v2")
        #expect(GeneratedNames.serviceName(fromPolicyFile: "billing.yaml") == "billing")
        #expect(GeneratedNames.serviceName(fromPolicyFile: "a/b/") == "b")
        #expect(GeneratedNames.fileName(forPolicyFile: "/x/policies/user.yaml") == "UserCache.swift")
        #expect(GeneratedNames.isPlatformFile("policies/platform.yaml"))
        #expect(GeneratedNames.isPlatformFile("platform.yml"))
        #expect(!GeneratedNames.isPlatformFile("policies/platform.yaml.bak"))
        #expect(!GeneratedNames.isPlatformFile("platform/user.yaml"))
    }
}
