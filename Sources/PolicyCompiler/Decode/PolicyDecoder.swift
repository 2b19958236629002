/// Turns one file's ``Node`` tree into a ``Service``, reporting every schema problem it finds.
/// Each section is decoded in its own file (`PolicyDecoder+Keys.swift`, …).
public struct PolicyDecoder {
    public let file: String
    public internal(set) var diagnostics = DiagnosticBag()
    /// See ``Service/undecodable``.
    var undecodable: Set<String> = []
    /// The first few distinct tags parsed without error, with their segments: the families of a
    /// service usually carry the same few tags, which then share one array of segments.
    var knownTags: [(text: UTF8Bytes, segments: [KeyPattern.Segment])] = []

    public init(file: String) {
        self.file = file
    }

    /// The fields a mapping may have, checked for unknown and missing names.
    struct Fields {
        let node: Node
        /// A policy mapping has a dozen fields at most: a linear search beats hashing them.
        private let pairs: Node.Pairs

        init(node: Node, pairs: Node.Pairs) {
            self.node = node
            self.pairs = pairs
        }

        /// The field named by a literal (every field name the decoder reads is one).
        subscript(name: StaticString) -> Node? { pairs.value(forKey: name) }

        /// The field named by a computed string.
        func value(named name: String) -> Node? { pairs.value(forKey: name) }
    }

    /// The entries of a mapping, or a type-mismatch diagnostic.
    mutating func mapping(_ node: Node, _ what: @autoclosure () -> String) -> Node.Pairs? {
        if case .mapping(let pairs) = node.kind { return pairs }
        if node.scalar?.isNull == true { return Node.Pairs(tree: node.tree, first: 0, count: 0) }
        diagnostics.report(.typeMismatch, at: node.location, "\(what()) must be a mapping, found \(node.kindDescription)")
        return nil
    }

    /// A mapping with a fixed set of fields; unknown fields get a did-you-mean hint.
    mutating func fields(
        _ node: Node, _ what: @autoclosure () -> String, known: [String], required: [String] = []
    ) -> Fields? {
        fields(node, what(), PolicyFields.Section(known: known, required: required))
    }

    /// A mapping with the fields of `section`: the same checks as ``fields(_:_:known:required:)``,
    /// with each key compared as packed bytes (a string is made only for an unknown key).
    mutating func fields(_ node: Node, _ what: @autoclosure () -> String, _ section: PolicyFields.Section) -> Fields? {
        guard let pairs = mapping(node, what()) else { return nil }
        for position in 0..<pairs.count where !pairs.keyIsKnown(at: position, section) {
            let pair = pairs[position]
            diagnostics.report(
                .unknownField, at: pair.keyLocation, "\(what()) has no field '\(pair.key)'",
                hint: Suggestions.hint(for: pair.key, in: section.known) ?? "known fields: \(section.known.joined(separator: ", "))")
        }
        for name in section.required where !pairs.contains(key: name) {
            diagnostics.report(.missingField, at: node.location, "\(what()) is missing the required field '\(name)'")
        }
        return Fields(node: node, pairs: pairs)
    }

    /// The items of a list, or a type-mismatch diagnostic.
    mutating func list(_ node: Node, _ what: @autoclosure () -> String) -> Node.Items? {
        if case .sequence(let items) = node.kind { return items }
        if node.scalar?.isNull == true { return Node.Items(tree: node.tree, first: 0, count: 0) }
        diagnostics.report(
            .typeMismatch, at: node.location, "\(what()) must be a list, found \(node.kindDescription)",
            hint: node.scalar != nil ? "write [\(node.scalar!.value)]" : nil)
        return nil
    }

    /// Any non-null scalar as text.
    mutating func string(_ node: Node, _ what: @autoclosure () -> String) -> Located<String>? {
        guard let scalar = node.scalar, !scalar.isNull else {
            diagnostics.report(.typeMismatch, at: node.location, "\(what()) must be text, found \(node.kindDescription)")
            return nil
        }
        return Located(scalar.value, at: node.location)
    }

    /// A plain scalar, for values that are not strings (numbers, durations, names of choices).
    private mutating func plain(_ node: Node, _ what: @autoclosure () -> String, expected: @autoclosure () -> String) -> Located<String>? {
        guard let scalar = node.scalar, !scalar.isNull else {
            diagnostics.report(.typeMismatch, at: node.location, "\(what()) must be \(expected()), found \(node.kindDescription)")
            return nil
        }
        guard scalar.isPlain else {
            diagnostics.report(
                .typeMismatch, at: node.location, "\(what()) must be \(expected()), found a quoted string",
                hint: "remove the quotes")
            return nil
        }
        return Located(scalar.value, at: node.location)
    }

    mutating func int(_ node: Node, _ what: @autoclosure () -> String, in range: ClosedRange<Int>) -> Located<Int>? {
        guard let text = plain(node, what(), expected: "an integer") else { return nil }
        guard let value = Int(text.value) else {
            diagnostics.report(.typeMismatch, at: node.location, "\(what()) must be an integer, found '\(text.value)'")
            return nil
        }
        guard range.contains(value) else {
            let bound = range.upperBound == .max ? "at least \(range.lowerBound)" : "between \(range.lowerBound) and \(range.upperBound)"
            diagnostics.report(.invalidNumber, at: node.location, "\(what()) must be \(bound), found \(value)")
            return nil
        }
        return Located(value, at: node.location)
    }

    mutating func bool(_ node: Node, _ what: @autoclosure () -> String) -> Located<Bool>? {
        guard let text = plain(node, what(), expected: "true or false") else { return nil }
        switch text.value {
        case "true": return Located(true, at: node.location)
        case "false": return Located(false, at: node.location)
        default:
            diagnostics.report(.typeMismatch, at: node.location, "\(what()) must be true or false, found '\(text.value)'")
            return nil
        }
    }

    /// One of a fixed set of words, e.g. a codec or a priority.
    mutating func choice<T: RawRepresentable & CaseIterable>(_ node: Node, _ what: @autoclosure () -> String, _: T.Type) -> Located<T>?
    where T.RawValue == String {
        // The options are spelled out only for a message.
        var options: [String] { T.allCases.map(\.rawValue) }
        guard let text = plain(node, what(), expected: "one of \(options.joined(separator: ", "))") else { return nil }
        guard let value = T(rawValue: text.value) else {
            diagnostics.report(
                .invalidValue, at: node.location, "\(what()) must be one of \(options.joined(separator: ", ")), found '\(text.value)'",
                hint: Suggestions.hint(for: text.value, in: options))
            return nil
        }
        return Located(value, at: node.location)
    }

    mutating func duration(_ node: Node, _ what: @autoclosure () -> String) -> Located<PolicyDuration>? {
        guard let text = plain(node, what(), expected: "a duration") else { return nil }
        guard let milliseconds = QuantityParser.scaled(text.value, units: PolicyDuration.units) else {
            diagnostics.report(
                .invalidDuration, at: node.location, "\(what()) must be a duration, found '\(text.value)'",
                hint: "write a whole number and a unit: 500ms, 30s, 15m, 1h, 7d")
            return nil
        }
        return Located(PolicyDuration(milliseconds: milliseconds), at: node.location)
    }

    mutating func size(_ node: Node, _ what: @autoclosure () -> String) -> Located<ByteCount>? {
        guard let text = plain(node, what(), expected: "a size") else { return nil }
        guard let bytes = QuantityParser.scaled(text.value, units: ByteCount.units) else {
            var hint = "write a whole number and a unit: 512B, 1KB, 64MB, 2GB"
            if let fixed = QuantityParser.scaled(text.value.uppercased(), units: ByteCount.units) {
                hint = "units are upper-case: did you mean '\(ByteCount(bytes: fixed))'?"
            }
            diagnostics.report(.invalidSize, at: node.location, "\(what()) must be a size, found '\(text.value)'", hint: hint)
            return nil
        }
        return Located(ByteCount(bytes: bytes), at: node.location)
    }

    mutating func percentage(_ node: Node, _ what: @autoclosure () -> String) -> Located<Percent>? {
        guard let text = plain(node, what(), expected: "a percentage") else { return nil }
        guard let value = QuantityParser.percent(text.value) else {
            var hint = "write a number and '%': 70%, 2.5%"
            if let ratio = Double(text.value), ratio >= 0, ratio <= 1 {
                hint = "did you mean '\(Percent(ratio * 100))'?"
            }
            diagnostics.report(.invalidPercentage, at: node.location, "\(what()) must be a percentage, found '\(text.value)'", hint: hint)
            return nil
        }
        return Located(Percent(value), at: node.location)
    }

    /// A name that must follow `rule`.
    mutating func identifier(_ node: Node, _ what: @autoclosure () -> String, _ rule: IdentifierRule) -> Located<String>? {
        guard let text = string(node, what()) else { return nil }
        return checkIdentifier(text, what(), rule) ? text : nil
    }

    /// Checks a name already read (e.g. a mapping key) against `rule`.
    mutating func checkIdentifier(_ name: Located<String>, _ what: @autoclosure () -> String, _ rule: IdentifierRule) -> Bool {
        if rule.matches(name.value) { return true }
        diagnostics.report(
            .invalidIdentifier, at: name.location, "\(what()) '\(name.value)' is not a valid name",
            hint: "\(rule.description)\(rule.suggestion(for: name.value).map { ", e.g. '\($0)'" } ?? "")")
        return false
    }

    /// A list of names, each checked against `rule`.
    mutating func identifiers(_ node: Node, _ what: @autoclosure () -> String, _ rule: IdentifierRule) -> [Located<String>] {
        guard let items = list(node, what()) else { return [] }
        return items.compactMap { identifier($0, "an entry of \(what())", rule) }
    }
}
