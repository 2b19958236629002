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
        // Columns inside the scalar are exact when each character of the value is one character of
        // the source: single-line plain scalars, and quoted ones without escapes.
        let oneToOne: Bool = switch scalar.style {
        case .plain: true
        case .singleQuoted: !text.value.utf8.contains(UInt8(ascii: "'"))
        case .doubleQuoted: !text.value.unicodeScalars.contains { $0 == "\"" || $0 == "\\" || $0.value < 0x20 || $0.value == 0x7F }
        case .literal, .folded: false
        }
        let exact = oneToOne && !text.value.unicodeScalars.contains { $0 == "\n" || $0 == "\r" || $0 == "\u{85}" || $0 == "\u{2028}" || $0 == "\u{2029}" || $0 == "\u{0B}" || $0 == "\u{0C}" }
        let base = scalar.style == .plain ? 0 : 1
        var segments: [KeyPattern.Segment] = []
        var locations: [SourceLocation] = []
        var valid = true
        var seenHoles = Set<String>()
        var offset = 0
        // Split on the ':' byte (what() Redis sees), not on Characters: a ':' followed by a combining
        // mark is one Character, but still a separator in the key. In UTF-8 the byte 0x3A is only
        // ever ':' itself. Offsets count Unicode scalars (bytes that do not continue a scalar).
        for bytes in text.value.utf8.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false) {
            let piece = String(decoding: bytes, as: UTF8.self)
            let location = exact ? node.location.advanced(by: base + offset) : node.location
            offset += bytes.count { $0 & 0xC0 != 0x80 } + 1
            locations.append(location)
            if let segment = patternSegment(String(piece), what: what(), use: use, at: location) {
                if case .hole(let name) = segment, !seenHoles.insert(name).inserted {
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
        return valid ? KeyPattern(text: text.value, segments: segments, segmentLocations: locations) : nil
    }

    private mutating func patternSegment(
        _ piece: String, what: @autoclosure () -> String, use: PatternUse, at location: SourceLocation
    ) -> KeyPattern.Segment? {
        if let plain = Self.plainASCIILiteral(piece) { return plain }
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
        if scalars.first == "{", scalars.last == "}", scalars.count > 2 {
            let name = String(String.UnicodeScalarView(scalars.dropFirst().dropLast()))
            if !name.unicodeScalars.contains(where: { $0 == "{" || $0 == "}" }) {
                return checkIdentifier(Located(name, at: location.advanced(by: 1)), "the param", .member) ? .hole(name) : nil
            }
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
    /// rules below would look at (braces, globs, '#', whitespace, controls). Anything else, `nil`:
    /// the full rules decide.
    private static func plainASCIILiteral(_ piece: String) -> KeyPattern.Segment? {
        guard !piece.isEmpty else { return nil }
        for byte in piece.utf8 {
            switch byte {
            case 0x21...0x7E where byte != UInt8(ascii: "{") && byte != UInt8(ascii: "}") && byte != UInt8(ascii: "*")
                && byte != UInt8(ascii: "?") && byte != UInt8(ascii: "[") && byte != UInt8(ascii: "]")
                && byte != UInt8(ascii: "\\") && byte != UInt8(ascii: "#"):
                continue
            default:
                return nil
            }
        }
        return .literal(piece)
    }
}
