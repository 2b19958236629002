extension PolicyDecoder {
    /// Where a pattern is used: only invalidation patterns may contain `*` segments.
    enum PatternUse {
        case key, tag, invalidation
    }

    static let maxPatternLength = 512

    /// Parses `literal:{param}:…` into a ``KeyPattern`` with a location per segment.
    mutating func pattern(_ node: Node, _ what: @autoclosure () -> String, use: PatternUse) -> KeyPattern? {
        guard let text = string(node, what()) else { return nil }
        let scalar = node.scalar!
        guard !text.value.isEmpty else {
            diagnostics.report(.invalidPattern, at: node.location, "\(what()) is empty")
            return nil
        }
        // Characters are counted (grapheme breaking) only when the bytes alone cannot settle it.
        let byteCount = text.value.utf8.count
        guard byteCount <= Self.maxPatternLength || (byteCount <= Self.maxPatternLength * 4 && text.value.count <= Self.maxPatternLength) else {
            diagnostics.report(.invalidPattern, at: node.location, "\(what()) is longer than \(Self.maxPatternLength) characters")
            return nil
        }
        // The bytes are scanned in place (a native string is contiguous UTF-8).
        var value = text.value
        value.makeContiguousUTF8()
        return value.withUTF8 { bytes in
            let tagText = UTF8Bytes(text.value)
            if use == .tag, let known = knownTags.first(where: { $0.text == tagText }) {
                return KeyPattern(text: text.value, segments: known.segments, placement: placement(of: node, bytes, style: scalar.style))
            }
            let parsed = pattern(bytes, text: text.value, node: node, style: scalar.style, what: what(), use: use)
            if use == .tag, let parsed, knownTags.count < Self.knownTagLimit { knownTags.append((tagText, parsed.segments)) }
            return parsed
        }
    }

    /// How many distinct tags a file's decoder remembers (compared byte by byte, in order).
    static let knownTagLimit = 8

    /// Where a pattern's segments are: by columns when each character of the value is one character
    /// of the source (the reader knows: single-line plain scalars, and quoted ones without escapes),
    /// and not across a line break in the value (`\n`, `\r`, VT, FF, U+0085, U+2028, U+2029);
    /// otherwise all at the scalar.
    private func placement(of node: Node, _ utf8: UnsafeBufferPointer<UInt8>, style: Scalar.Style) -> KeyPattern.Placement {
        guard node.isVerbatim, !Self.containsLineBreak(utf8) else { return .scalar(node.location) }
        return .columns(first: node.location.advanced(by: style == .plain ? 0 : 1))
    }

    private mutating func pattern(
        _ utf8: UnsafeBufferPointer<UInt8>, text: String, node: Node, style: Scalar.Style, what: @autoclosure () -> String, use: PatternUse
    ) -> KeyPattern? {
        let placement = placement(of: node, utf8, style: style)
        var segments: [KeyPattern.Segment] = []
        var holes = SeenHoles()
        // Exactly one allocation: every policy's families hold their patterns for the whole run.
        segments.reserveCapacity(utf8.count { $0 == UInt8(ascii: ":") } + 1)
        var valid = true
        var offset = 0
        // Split on the ':' byte (what Redis sees), not on Characters: a ':' followed by a combining
        // mark is one Character, but still a separator in the key. In UTF-8 the byte 0x3A is only
        // ever ':' itself. Offsets count Unicode scalars (bytes that do not continue a scalar).
        var start = 0
        for end in 0...utf8.count where end == utf8.count || utf8[end] == UInt8(ascii: ":") {
            let bytes = UnsafeBufferPointer(rebasing: utf8[start..<end])
            start = end + 1
            let location = switch placement {
            case .columns(let first): first.advanced(by: offset)
            default: node.location
            }
            offset += bytes.count { $0 & 0xC0 != 0x80 } + 1
            if let segment = patternSegment(bytes, what: what(), use: use, at: location) {
                if case .hole(let name) = segment, holes.repeats(name, among: segments) {
                    diagnostics.report(
                        .invalidPattern, at: location, "\(what()) uses the param '\(name)' twice",
                        hint: "each param fills one hole")
                    valid = false
                }
                segments.append(segment)
            } else {
                valid = false
            }
        }
        return valid ? KeyPattern(text: text, segments: segments, placement: placement) : nil
    }

    /// Whether the text holds a character that breaks a line for YAML or Unicode: `\n`, `\r`,
    /// VT, FF, U+0085 (`C2 85`), U+2028 and U+2029 (`E2 80 A8`, `E2 80 A9`).
    private static func containsLineBreak(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        var previous: (UInt8, UInt8) = (0, 0)
        for byte in utf8 {
            switch byte {
            case 0x0A, 0x0B, 0x0C, 0x0D: return true
            case 0x85 where previous.1 == 0xC2: return true
            case 0xA8...0xA9 where previous == (0xE2, 0x80): return true
            default: previous = (previous.1, byte)
            }
        }
        return false
    }

    private mutating func patternSegment(
        _ bytes: UnsafeBufferPointer<UInt8>, what: @autoclosure () -> String, use: PatternUse, at location: SourceLocation
    ) -> KeyPattern.Segment? {
        if Self.isPlainASCIILiteral(bytes) { return .literal(String(decoding: bytes, as: UTF8.self)) }
        // A `{name}` hole: braces are ASCII, so the name is the bytes between them.
        if bytes.count > 2, bytes.first == UInt8(ascii: "{"), bytes.last == UInt8(ascii: "}") {
            let inner = UnsafeBufferPointer(rebasing: bytes[1..<bytes.count - 1])
            if !inner.contains(UInt8(ascii: "{")) && !inner.contains(UInt8(ascii: "}")) {
                let name = String(decoding: inner, as: UTF8.self)
                return checkIdentifier(Located(name, at: location.advanced(by: 1)), "the param", .member) ? .hole(name) : nil
            }
        }
        let piece = String(decoding: bytes, as: UTF8.self)
        if piece.isEmpty {
            diagnostics.report(
                .invalidPattern, at: location, "\(what()) has an empty segment",
                hint: "segments are separated by a single ':'")
            return nil
        }
        let scalars = piece.unicodeScalars
        if scalars.elementsEqual("*".unicodeScalars) {
            if use == .invalidation { return .wildcard }
            diagnostics.report(
                .invalidPattern, at: location, "\(what()) cannot contain '*'",
                hint: "only invalidation patterns ('pattern:') may use '*'")
            return nil
        }
        if scalars.contains(where: { $0 == "{" || $0 == "}" }) {
            diagnostics.report(
                .invalidPattern, at: location,
                "\(what()) has the segment '\(piece)', but a {param} hole must fill a whole segment",
                hint: "separate the hole with ':', e.g. 'v:{version}' instead of 'v{version}'")
            return nil
        }
        if let bad = scalars.first(where: { "*?[]\\".unicodeScalars.contains($0) }) {
            diagnostics.report(
                .invalidPattern, at: location, "\(what()) has '\(bad)' in the literal segment '\(piece)'",
                hint: use == .invalidation ? "'*' may only stand alone as a whole segment" : "glob characters are not allowed in keys")
            return nil
        }
        if scalars.contains("#") {
            diagnostics.report(
                .invalidPattern, at: location, "\(what()) has '#' in '\(piece)', which is reserved for the runtime's own keys (tag sets)",
                hint: "use another character, such as '-' or '.'")
            return nil
        }
        // ASCII bytes are judged directly; only other scalars need Unicode's property tables.
        if piece.unicodeScalars.contains(where: { $0.value < 0x80 ? ($0.value <= 0x20 || $0.value == 0x7F) : $0.properties.isWhitespace }) {
            diagnostics.report(.invalidPattern, at: location, "\(what()) has whitespace or a control character in '\(piece)'")
            return nil
        }
        return .literal(piece)
    }

    /// The common case in one pass over the bytes: an ASCII literal segment with no character the
    /// rules above would look at (braces, globs, '#', whitespace, controls). Anything else: the
    /// full rules decide.
    private static func isPlainASCIILiteral(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard !bytes.isEmpty else { return false }
        for byte in bytes {
            switch byte {
            case 0x21...0x7E where byte != UInt8(ascii: "{") && byte != UInt8(ascii: "}") && byte != UInt8(ascii: "*")
                && byte != UInt8(ascii: "?") && byte != UInt8(ascii: "[") && byte != UInt8(ascii: "]")
                && byte != UInt8(ascii: "\\") && byte != UInt8(ascii: "#"):
                continue
            default:
                return false
            }
        }
        return true
    }
}

/// The holes of a pattern so far, to find a param used twice. Patterns are short and searched in
/// place (cheaper than hashing); a long one (hostile or generated) gets a set, so the check stays
/// linear in the pattern's length.
private struct SeenHoles {
    private var hashed: Set<String>?

    /// Whether `name` is already a hole among `segments` (the pattern's segments so far).
    mutating func repeats(_ name: String, among segments: [KeyPattern.Segment]) -> Bool {
        if hashed != nil { return !hashed!.insert(name).inserted }
        if segments.contains(.hole(name)) { return true }
        if segments.count >= NameIndex.linearLimit {
            var names: Set<String> = [name]
            for case .hole(let hole) in segments { names.insert(hole) }
            hashed = names
        }
        return false
    }
}
