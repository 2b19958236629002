/// One pass over a file's bytes before libyaml sees them: where each line starts (counted in
/// characters, as libyaml's marks count) and which lines are indented with a tab. Runs of eight
/// ASCII bytes without a line break are counted a word at a time.
struct LineIndex {
    /// Character index (after any BOM) at which each `\n`-separated line starts.
    private(set) var lineStarts: [Int] = [0]
    /// Characters in the file after any BOM.
    private(set) var characterCount = 0
    /// 1-based line and column of the first tab in the indentation of each line with content
    /// (comments aside).
    private(set) var tabIndented: [(line: Int, column: Int)] = []

    init(_ bytes: [UInt8]) {
        // Room for a line per 12 bytes (denser than policies are written): one allocation per
        // file instead of a growing array copied at each doubling.
        lineStarts.reserveCapacity(bytes.count / 12 + 2)
        bytes.withUnsafeBufferPointer { scan($0) }
    }

    private mutating func scan(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress else { return }
        let count = bytes.count
        let hasBOM = count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF
        // A BOM is content: the first line's indentation ends before it.
        if !hasBOM { checkIndentation(bytes, from: 0, line: 1) }
        var index = hasBOM ? 3 : 0
        var characters = 0
        var line = 1
        while index < count {
            if index + 8 <= count {
                let word = UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
                if word & 0x8080_8080_8080_8080 == 0 {
                    let newlines = Self.newlineMask(word)
                    guard newlines != 0 else {
                        characters += 8
                        index += 8
                        continue
                    }
                    // ASCII up to the first `\n` (the mask's lowest bit is exact; bytes are little-endian).
                    let length = newlines.trailingZeroBitCount / 8 + 1
                    characters += length
                    index += length
                    lineStarts.append(characters)
                    line += 1
                    checkIndentation(bytes, from: index, line: line)
                    continue
                }
            }
            let byte = bytes[index]
            index += 1
            if byte & 0xC0 != 0x80 { characters += 1 }
            if byte == UInt8(ascii: "\n") {
                lineStarts.append(characters)
                line += 1
                checkIndentation(bytes, from: index, line: line)
            }
        }
        characterCount = characters
    }

    /// The high bit of each byte of `word` that may be `\n` (the classic zero-byte test on
    /// `word ^ 0x0A…0A`): zero when none is, and the lowest bit set marks the first one exactly.
    private static func newlineMask(_ word: UInt64) -> UInt64 {
        let x = word ^ 0x0A0A_0A0A_0A0A_0A0A
        return (x &- 0x0101_0101_0101_0101) & ~x & 0x8080_8080_8080_8080
    }

    /// Looks at the indentation of the line starting at `start`: spaces and tabs count a column
    /// each, a CR is skipped; a tab before content other than a comment is reported.
    private mutating func checkIndentation(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, line: Int) {
        var column = 1
        var tabColumn: Int?
        var index = start
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "):
                column += 1
            case UInt8(ascii: "\t"):
                if tabColumn == nil { tabColumn = column }
                column += 1
            case UInt8(ascii: "\r"):
                break
            case UInt8(ascii: "\n"):
                return
            case let byte:
                if let tabColumn, byte != UInt8(ascii: "#") { tabIndented.append((line, tabColumn)) }
                return
            }
            index += 1
        }
    }
}
