import Testing
@testable import PolicyCompiler

/// "Did you mean" hints.
@Suite("Suggestions")
struct SuggestionsTests {
    /// A candidate is dismissed by its length alone only when it is ASCII; the answer must be the
    /// one comparing every candidate, also when lowercasing changes a name's length (`İ` → `i̇`).
    @Test func theLengthShortcutGivesTheFullSearchsAnswer() {
        let names = ["payment", "paymnet", "PAYMENT", "user", "usr", "İstanbul", "istanbul", "i̇stanbul", "straße", "STRASSE",
                     "é", "e\u{301}", "", "a", "ab", "abcdefghijkl", "abcdefghijkz", "Ünïcödé", "unicode"]
        for name in names {
            let limit = max(1, name.count / 3)
            let wanted = Array(name.lowercased().unicodeScalars)
            var expected: (String, Int)?
            for candidate in names {
                let distance = Suggestions.editDistance(wanted, Array(candidate.lowercased().unicodeScalars), limit: limit)
                if distance <= limit, distance < (expected?.1 ?? .max) || (distance == expected?.1 && candidate < expected!.0) {
                    expected = (candidate, distance)
                }
            }
            #expect(Suggestions.closest(to: name, in: names) == expected?.0, "\(name)")
        }
        #expect(Suggestions.closest(to: "paymnet", in: ["payment", "user"]) == "payment")
        #expect(Suggestions.closest(to: "xyz", in: ["payment", "user"]) == nil)
        // Three bytes, but two scalars: one edit from "a", not dismissed by its byte count.
        #expect(Suggestions.closest(to: "a", in: ["a\u{E9}"]) == "a\u{E9}")
    }
}
