import TestSupport
import CacheRuntime
import Foundation
import PolicyCompiler
import Testing

/// Random strings biased towards the characters that matter: separators, glob characters,
/// percent signs, braces, unicode (including combining marks and astral planes) and empty strings.
func hostileString(_ rng: inout SeededGenerator) -> String {
    let alphabet: [String] = [
        ":", "*", "?", "[", "]", "\\", "{", "}", "#", "%", "%3A", "%25", " ", "\n", "\0", "-", ".", "_", "~", "a", "Z", "0",
        "é", "e\u{301}", "ß", "日本", "🎉", "\u{202E}", "\u{FEFF}", "/", "\"", "'",
    ]
    let length = Int.random(in: 0...8, using: &rng)
    return (0..<length).map { _ in alphabet.randomElement(using: &rng)! }.joined()
}

@Suite("Key encoding")
struct KeyEncoderTests {
    /// The byte-level formatter agrees with Foundation's `uuidString`, lowercased, on every byte value.
    @Test func uuidsFormatLikeFoundation() {
        var rng = SeededGenerator(state: 36)
        for round in 0..<2_000 {
            let bytes = (0..<16).map { index in round < 256 ? UInt8(truncatingIfNeeded: round &+ index) : UInt8.random(in: 0...255, using: &rng) }
            let id = UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                                 bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
            #expect(KeyEncoder.uuid(id) == id.uuidString.lowercased())
        }
    }

    @Test func canonicalForms() {
        let id = UUID(uuidString: "3F2B8C1E-9A4D-4E2B-8F1A-0C6D5E4B3A21")!
        #expect(KeyEncoder.uuid(id) == "3f2b8c1e-9a4d-4e2b-8f1a-0c6d5e4b3a21")
        #expect(KeyEncoder.int(-42) == "-42")
        #expect(KeyEncoder.int(0) == "0")
        #expect(KeyEncoder.bool(true) == "true")
        #expect(KeyEncoder.string("a:b*c") == "a%3Ab%2Ac")
        #expect(KeyEncoder.string("100%") == "100%25")
        #expect(KeyEncoder.string("") == "")
        #expect(KeyEncoder.string("Ab-9._~") == "Ab-9._~")
        #expect(KeyEncoder.string("é") == "%C3%A9")
    }

    @Test func stringEncodingIsInjectiveAndGlobSafe() {
        var rng = SeededGenerator(state: 7)
        var seen: [String: String] = [:]
        let forbidden = Set(":*?[]\\{}#% \n".unicodeScalars.map { $0 }).subtracting(["%"])
        for _ in 0..<20_000 {
            let value = hostileString(&rng)
            let encoded = KeyEncoder.string(value)
            if let previous = seen[encoded] {
                #expect(previous == value, "'\(previous)' and '\(value)' both encode to '\(encoded)'")
            }
            seen[encoded] = value
            #expect(!encoded.unicodeScalars.contains { forbidden.contains($0) }, "\(encoded)")
            #expect(encoded.utf8.allSatisfy { $0 < 0x80 }, "only ASCII leaves the encoder")
            #expect(KeyEncoder.decodeString(encoded) == value)
            // The compiler's keyspace checks reason with the same encoding.
            #expect(KeyEncoding.isCanonicalString(encoded))
            #expect(KeyEncoding.encodeString(value) == encoded)
        }
        #expect(seen.count > 5_000)
    }

    @Test func decodeRejectsNonCanonicalText() {
        #expect(KeyEncoder.decodeString("%41") == nil, "'A' is never percent-encoded")
        #expect(KeyEncoder.decodeString("%3a") == nil, "hex digits are upper-case")
        #expect(KeyEncoder.decodeString("a:b") == nil)
        #expect(KeyEncoder.decodeString("%C3") == nil, "not valid UTF-8")
        #expect(KeyEncoder.decodeString("%") == nil)
    }

    @Test func typedSegmentsAgreeWithTheCompiler() {
        var rng = SeededGenerator(state: 11)
        for _ in 0..<2_000 {
            let number = Int.random(in: Int.min...Int.max, using: &rng)
            #expect(KeyEncoding.canRender(KeyEncoder.int(number), as: .int))
            let id = UUID()
            #expect(KeyEncoding.canRender(KeyEncoder.uuid(id), as: .uuid))
        }
        #expect(KeyEncoding.canRender(KeyEncoder.bool(false), as: .bool))
    }

    @Test func globEscaping() {
        #expect(KeyEncoder.escapeGlob("a*b?c[d]e\\f") == "a\\*b\\?c\\[d\\]e\\\\f")
        #expect(KeyEncoder.escapeGlob("plain:text") == "plain:text")
    }

    @Test func keysFromHostileValuesNeverMatchAWiderGlob() {
        // A key rendered with a hostile value must match only patterns that fix that exact value.
        var rng = SeededGenerator(state: 99)
        for _ in 0..<5_000 {
            let a = hostileString(&rng)
            let b = hostileString(&rng)
            let keyA = "svc:item:\(KeyEncoder.string(a)):page"
            let patternB = "svc:item:\(KeyEncoder.string(b)):*"
            #expect(globMatches(patternB, keyA) == (a == b), "\(patternB) vs \(keyA)")
        }
    }
}

/// Redis's glob matching for the subset patterns use: `*`, `?`, `\` escapes, `[` classes.
func globMatches(_ pattern: String, _ text: String) -> Bool {
    let p = Array(pattern.utf8)
    let t = Array(text.utf8)
    func match(_ i: Int, _ j: Int) -> Bool {
        if i == p.count { return j == t.count }
        switch p[i] {
        case UInt8(ascii: "*"):
            return (j...t.count).contains { match(i + 1, $0) }
        case UInt8(ascii: "?"):
            return j < t.count && match(i + 1, j + 1)
        case UInt8(ascii: "\\"):
            return i + 1 < p.count && j < t.count && p[i + 1] == t[j] && match(i + 2, j + 1)
        default:
            return j < t.count && p[i] == t[j] && match(i + 1, j + 1)
        }
    }
    return match(0, 0)
}
