import Testing
import TestSupport
@testable import PolicyCompiler

/// The reader's pre-pass over a file's bytes, against the plain byte-by-byte definition.
@Suite("Line index")
struct LineIndexTests {
    /// Line starts in characters after any BOM, and the first tab in each line's indentation.
    func reference(_ bytes: [UInt8]) -> (starts: [Int], characters: Int, tabs: [String]) {
        let hasBOM = bytes.starts(with: [0xEF, 0xBB, 0xBF])
        var starts = [0]
        var index = 0
        for byte in bytes.dropFirst(hasBOM ? 3 : 0) where byte & 0xC0 != 0x80 {
            index += 1
            if byte == UInt8(ascii: "\n") { starts.append(index) }
        }
        var tabs: [String] = []
        var line = 1
        var atLineStart = true
        var column = 1
        var tabColumn: Int?
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                (line, atLineStart, column, tabColumn) = (line + 1, true, 1, nil)
                continue
            }
            guard atLineStart else { continue }
            switch byte {
            case UInt8(ascii: " "): column += 1
            case UInt8(ascii: "\t"):
                if tabColumn == nil { tabColumn = column }
                column += 1
            case UInt8(ascii: "\r"): break
            default:
                if let tabColumn, byte != UInt8(ascii: "#") { tabs.append("\(line):\(tabColumn)") }
                atLineStart = false
            }
        }
        return (starts, index, tabs)
    }

    @Test func agreesWithTheDefinition() {
        let pieces: [[UInt8]] = [[0x0A], [0x09], [0x20], [0x61], [0x23], [0x0D], [0xC3, 0xA9], [0xE2, 0x80, 0xA8], Array("key: value".utf8)]
        var generator = SeededGenerator(state: 0x5EED)
        var inputs: [[UInt8]] = [[], [0xEF, 0xBB, 0xBF, 0x09, 0x61], Array("a\n\tb\n  \t# c\n \t\n\t".utf8)]
        for _ in 0..<2000 {
            var bytes: [UInt8] = Bool.random(using: &generator) ? [] : [0xEF, 0xBB, 0xBF]
            for _ in 0..<Int.random(in: 0...60, using: &generator) { bytes += pieces.randomElement(using: &generator)! }
            inputs.append(bytes)
        }
        for bytes in inputs {
            let index = LineIndex(bytes)
            let expected = reference(bytes)
            #expect(index.lineStarts == expected.starts, "\(bytes)")
            #expect(index.characterCount == expected.characters, "\(bytes)")
            #expect(index.tabIndented.map { "\($0.line):\($0.column)" } == expected.tabs, "\(bytes)")
        }
    }

    @Test func utf8ValidationSkipsASCIIWordsWithoutMissingAnError() {
        for position in 0..<20 {
            var bytes = Array(repeating: UInt8(ascii: "a"), count: 20)
            bytes[position] = 0xFF
            #expect(UTF8Validation.firstInvalidByte(in: bytes) == position)
            bytes[position] = 0xC3
            #expect(UTF8Validation.firstInvalidByte(in: bytes) == position, "a lead byte followed by ASCII")
            if position < 19 {
                bytes[position + 1] = 0xA9
                #expect(UTF8Validation.firstInvalidByte(in: bytes) == nil)
            }
        }
    }
}
