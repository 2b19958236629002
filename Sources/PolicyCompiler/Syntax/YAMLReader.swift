import CYAML

/// Reads one policy file into a ``Node`` tree with libyaml's event parser, enforcing
/// ``SyntaxLimits`` and the rules libyaml leaves to its callers: duplicate keys, alias expansion,
/// one document per file, no merge keys or custom tags.
public enum YAMLReader {
    public static func read(
        _ file: SourceFile, limits: SyntaxLimits = .default, diagnostics: inout DiagnosticBag
    ) -> Node? {
        let start = SourceLocation(file: file.path, line: 1, column: 1)
        if file.bytes.count > limits.maxFileSize {
            diagnostics.report(
                .fileTooLarge, at: start,
                "the file is larger than the limit of \(limits.maxFileSize) bytes",
                hint: "split the policy, or raise the limit with --max-file-size")
            return nil
        }
        if let offset = UTF8Validation.firstInvalidByte(in: file.bytes) {
            let (line, column) = file.position(ofByte: offset)
            diagnostics.report(
                .invalidUTF8, at: SourceLocation(file: file.path, line: line, column: column),
                "byte 0x\(String(file.bytes[offset], radix: 16, uppercase: true)) at offset \(offset) is not valid UTF-8",
                hint: "save the file as UTF-8")
            return nil
        }
        let lines = LineIndex(file.bytes)
        if !lines.tabIndented.isEmpty {
            for (line, column) in lines.tabIndented {
                diagnostics.report(
                    .tabIndentation, at: SourceLocation(file: file.path, line: line, column: column), "this line is indented with a tab",
                    hint: "indent with spaces")
            }
            return nil
        }
        var builder = TreeBuilder(file: file.path, limits: limits, lines: lines)
        let root = builder.run(file.bytes)
        diagnostics.append(contentsOf: builder.diagnostics.diagnostics)
        if let root { return root }
        if !builder.diagnostics.hasErrors {
            diagnostics.report(
                .emptyFile, at: start, "the file contains no YAML document",
                hint: "a policy starts with 'version: 1' and 'service: NAME'")
        }
        return nil
    }
}

/// Builds the node tree from libyaml events with an explicit stack of open collections (no recursion). Finished
/// children wait in `pending` until their collection ends, then move to `entries` side by side:
/// one growing array per file instead of one per mapping and list.
private struct TreeBuilder {
    typealias Entry = NodeTree.Entry

    let file: String
    /// ``file`` registered once: locations are made for every event.
    let fileID: UInt32
    let limits: SyntaxLimits
    var diagnostics = DiagnosticBag()

    /// An open collection. No references (its anchor and key index live beside it, in
    /// `openAnchors` and `keyIndexes`), so opening, closing and reading one copies bytes only.
    private struct Frame {
        var isMapping: Bool
        var location: SourceLocation
        /// The collection's anchor: an index in `openAnchors`, or -1.
        var anchor: Int32 = -1
        /// Where this collection's finished children start in `pending`.
        var start: Int
        /// The key waiting for its value.
        var pendingKey: Entry?
        /// The key was rejected: drop its value.
        var dropsValue = false
        /// The mapping's key index: an index in `keyIndexes`, or -1.
        var index: Int32 = -1
    }

    /// The innermost open collection, kept out of `parents` so attaching to it touches no array.
    private var open: Frame?
    /// The collections around it, outermost first.
    private var parents: [Frame] = []
    private var entries: [Entry] = []
    private var pending: [Entry] = []
    private var texts: [String] = []
    private var tags: [String] = []
    /// Character index (as libyaml counts, after any BOM) at which each `\n`-separated line starts.
    private let lineStarts: [Int]
    private let characterCount: Int
    /// The 1-based line of the last location made (see ``location(_:)``).
    private var lineCursor = 1
    private var anchors: [String: Entry] = [:]
    /// The anchors of open collections, innermost last: a collection's anchor is defined when it
    /// ends, and collections end in the reverse order they start.
    private var openAnchors: [String] = []
    /// Key → where it is, for open mappings that grew past a few entries (innermost last, for the
    /// same reason); small mappings (nearly all of a policy) are searched linearly, which costs
    /// less than hashing.
    private var keyIndexes: [[String: SourceLocation]] = []
    private var expanded = 0
    private var documents = 0
    private var root: Entry?

    init(file: String, limits: SyntaxLimits, lines: LineIndex) {
        self.file = file
        fileID = SourceFiles.id(file)
        self.limits = limits
        lineStarts = lines.lineStarts
        characterCount = lines.characterCount
    }

    private static let standardTags: Set<String> = [
        "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:bool",
        "tag:yaml.org,2002:null", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq",
        "tag:yaml.org,2002:float", "!",
    ]

    mutating func run(_ bytes: [UInt8]) -> Node? {
        // Room for a dense policy (a node per 8 bytes, a scalar per 10; the benchmark's corpus has
        // one per 9 and 12): each array is allocated once per file, instead of growing and copying,
        // and every large allocation makes malloc consolidate its free lists.
        entries.reserveCapacity(bytes.count / 8 + 16)
        texts.reserveCapacity(bytes.count / 10 + 16)
        pending.reserveCapacity(256)
        var ended = false
        let outcome = LibYAML.parse(bytes) { event in
            let keepGoing = handle(event)
            ended = event.type == YAML_STREAM_END_EVENT
            return keepGoing
        }
        switch outcome {
        case .failed(let parser): reportParserError(parser, bytes: bytes)
        case .initFailed:
            diagnostics.report(.yamlSyntax, at: location(line: 0, column: 0), "libyaml could not be initialised")
        case .finished: break
        }
        guard ended, let root else { return nil }
        entries.append(root)
        return Node(tree: NodeTree(entries: entries, texts: texts, tags: tags), index: entries.count - 1)
    }

    /// Entries (keys and values) of a mapping searched in place for a repeated key; a larger mapping
    /// gets a hashed index. A service's `keys:` of a few dozen families stays below it.
    private static let linearKeys = 64

    /// `<<`, YAML's merge key, which policies do not support.
    private static let mergeKey = NodeTree.PackedText("<<")!

    private func text(of entry: Entry) -> String { NodeTree.text(of: entry, in: texts) }

    private func location(line: Int, column: Int) -> SourceLocation {
        SourceLocation(fileID: fileID, line: line + 1, column: column + 1)
    }

    /// Positions come from libyaml's character index, not its line counter: libyaml also breaks
    /// lines at a lone CR and at U+0085/U+2028/U+2029, and reports end-of-stream one line past the
    /// end, while editors and ``SourceFile/line(_:)`` count `\n` only.
    ///
    /// Events arrive in source order, so the line is found by walking on from the last one; a mark
    /// behind it (an error's context) is found by binary search.
    private mutating func location(_ mark: yaml_mark_t) -> SourceLocation {
        let index = min(Int(mark.index), characterCount)
        var low = lineCursor
        if lineStarts[low - 1] <= index {
            while low < lineStarts.count, lineStarts[low] <= index { low += 1 }
        } else {
            low = 0
            var high = lineStarts.count
            while low < high {
                let middle = (low + high) / 2
                if lineStarts[middle] <= index { low = middle + 1 } else { high = middle }
            }
        }
        lineCursor = low
        return SourceLocation(fileID: fileID, line: low, column: index - lineStarts[low - 1] + 1)
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: $0) }
    }

    /// Handles one event; returns `false` when parsing must stop.
    private mutating func handle(_ event: yaml_event_t) -> Bool {
        let here = location(event.start_mark)
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            if documents > 1 {
                diagnostics.report(
                    .multipleDocuments, at: here, "the file contains a second YAML document",
                    hint: "put each service in its own file")
                return false
            }
        case YAML_MAPPING_START_EVENT, YAML_SEQUENCE_START_EVENT:
            let isMapping = event.type == YAML_MAPPING_START_EVENT
            let tag = isMapping ? Self.string(event.data.mapping_start.tag) : Self.string(event.data.sequence_start.tag)
            let anchor = isMapping ? Self.string(event.data.mapping_start.anchor) : Self.string(event.data.sequence_start.anchor)
            if !checkTag(tag, at: here) { return false }
            if parents.count + (open == nil ? 0 : 1) >= limits.maxDepth {
                diagnostics.report(
                    .depthLimit, at: here, "nesting is deeper than the limit of \(limits.maxDepth) levels",
                    hint: "policies nest a few levels at most; check the indentation")
                return false
            }
            if let open { parents.append(open) }
            open = Frame(isMapping: isMapping, location: here, start: pending.count)
            if let anchor {
                openAnchors.append(anchor)
                open!.anchor = Int32(openAnchors.count - 1)
            }
        case YAML_MAPPING_END_EVENT, YAML_SEQUENCE_END_EVENT:
            // libyaml balances starts and ends; an end without a start would be ignored, not fatal.
            guard let frame = open else { return true }
            open = parents.popLast()
            let first = entries.count
            var size = 1
            for child in frame.start..<pending.count {
                size += Int(pending[child].size)
                entries.append(pending[child])
            }
            // Unique, so this keeps the buffer: `pending` grows once per file, not per collection.
            pending.removeLast(pending.count - frame.start)
            guard entries.count < Int32.max else { return tooManyNodes(at: here) }
            let entry = Entry(
                kind: frame.isMapping ? .mapping : .sequence, style: .plain, location: frame.location,
                first: Int32(first), count: Int32(entries.count - first), size: Int32(clamping: size))
            if frame.index >= 0 { keyIndexes.removeLast() }
            if frame.anchor >= 0 { anchors[openAnchors.removeLast()] = entry }
            attach(entry)
        case YAML_SCALAR_EVENT:
            let data = event.data.scalar
            let tag = Self.string(data.tag)
            if !checkTag(tag, at: here) { return false }
            guard texts.count < Int32.max else { return tooManyNodes(at: here) }
            let style: Scalar.Style
            switch data.style {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
            case YAML_LITERAL_SCALAR_STYLE: style = .literal
            case YAML_FOLDED_SCALAR_STYLE: style = .folded
            default: style = .plain
            }
            let bytes = UnsafeBufferPointer(start: data.value, count: data.length)
            // Only keys are compared, so only a scalar that will be a key is packed; an ASCII key
            // that fits needs no string (its text is made from the packed bytes if ever read).
            let isKey = open.map { $0.isMapping && $0.pendingKey == nil && !$0.dropsValue } ?? false
            let packed = isKey ? NodeTree.PackedText(bytes) : nil
            var text: Int32 = -1
            if packed?.isASCII != true {
                texts.append(String(decoding: bytes, as: UTF8.self))
                text = Int32(texts.count - 1)
            }
            var entry = Entry(kind: .scalar, style: style, location: here, text: text, packed: packed)
            entry.span = Self.span(of: event, style: style, nextLine: lineCursor < lineStarts.count ? lineStarts[lineCursor] : .max)
            if let tag {
                tags.append(tag)
                entry.tag = Int32(tags.count - 1)
            }
            if let anchor = Self.string(data.anchor) { anchors[anchor] = entry }
            attach(entry)
        case YAML_ALIAS_EVENT:
            let name = Self.string(event.data.alias.anchor) ?? ""
            guard let target = anchors[name] else {
                diagnostics.report(
                    .yamlSyntax, at: here, "the alias '*\(name)' refers to an anchor that is not defined before it",
                    hint: "define '&\(name)' earlier in the file")
                return false
            }
            expanded += Int(target.size)
            if expanded > limits.maxAliasExpansion {
                diagnostics.report(
                    .aliasLimit, at: here,
                    "aliases expand to more than \(limits.maxAliasExpansion) nodes",
                    hint: "use 'defaults:' instead of anchors for shared settings")
                return false
            }
            // The copy shares the target's text or children; only its location is its own (so
            // columns inside its value are not columns at the alias).
            var copy = target
            copy.location = here
            copy.span = -1
            attach(copy)
        default:
            break
        }
        return true
    }

    /// How many characters (as libyaml counts) a scalar spans in the source, or -1 for a block
    /// scalar or one that continues past `nextLine` (where the line after its start begins, as
    /// editors count lines: at `\n`). Static: a method reading `self` would copy the builder.
    private static func span(of event: yaml_event_t, style: Scalar.Style, nextLine: Int) -> Int32 {
        guard style != .literal, style != .folded else { return -1 }
        let end = Int(event.end_mark.index)
        guard end <= nextLine else { return -1 }
        return Int32(clamping: end - Int(event.start_mark.index))
    }

    /// More nodes than the tree can number (far past any file-size limit a policy needs).
    private mutating func tooManyNodes(at location: SourceLocation) -> Bool {
        diagnostics.report(
            .fileTooLarge, at: location, "the file has more than \(Int32.max) YAML nodes",
            hint: "split the policy")
        return false
    }

    private mutating func checkTag(_ tag: String?, at location: SourceLocation) -> Bool {
        guard let tag, !Self.standardTags.contains(tag) else { return true }
        diagnostics.report(
            .unsupportedYAML, at: location, "the tag '\(tag)' is not supported in policy files",
            hint: "remove the tag; fields are typed by the policy language")
        return false
    }

    private mutating func attach(_ entry: Entry) {
        guard open != nil else {
            root = entry
            return
        }
        if !open!.isMapping {
            pending.append(entry)
            return
        }
        if open!.dropsValue {
            open!.dropsValue = false
            return
        }
        guard let key = open!.pendingKey else {
            // This node is a key.
            guard entry.kind == .scalar else {
                diagnostics.report(
                    .unsupportedYAML, at: entry.location, "mapping keys must be plain names, not \(entry.kind == .mapping ? "a mapping" : "a list")",
                    hint: "write 'name: value'")
                open!.dropsValue = true
                return
            }
            let isMergeKey = if let packed = entry.packed { packed == Self.mergeKey } else { text(of: entry) == "<<" }
            if entry.style == .plain, isMergeKey {
                diagnostics.report(
                    .unsupportedYAML, at: entry.location, "merge keys ('<<') are not supported in policy files",
                    hint: "use 'defaults:' for settings shared by key families")
                open!.dropsValue = true
                return
            }
            // A key that was not known to be one when read (an alias of a value) is packed now.
            var key = entry
            if key.packed == nil { key.packed = NodeTree.PackedText(text(of: entry)) }
            open!.pendingKey = key
            return
        }
        open!.pendingKey = nil
        // The key's text, made only where it is needed: ASCII keys of small mappings compare packed.
        let texts = texts
        var name: String { NodeTree.text(of: key, in: texts) }
        // Where the mapping already has this key, if it has: small mappings are searched in place.
        let start = open!.start
        let index = Int(open!.index)
        var first: SourceLocation?
        if index >= 0 {
            first = keyIndexes[index][name]
        } else {
            // ASCII keys (nearly all) compare as packed bytes; others as text, where canonically
            // equivalent spellings are one key.
            let packed = key.packed.flatMap { $0.isASCII ? $0 : nil }
            var other = start
            while other < pending.count {
                let same = if let packed, let candidate = pending[other].packed, candidate.isASCII {
                    candidate == packed
                } else {
                    NodeTree.text(of: pending[other], in: texts) == name
                }
                if same {
                    first = pending[other].location
                    break
                }
                other += 2
            }
        }
        if let first {
            diagnostics.report(
                .duplicateKey, at: key.location, "'\(name)' is already defined in this mapping",
                hint: "remove or rename one of the two",
                related: [RelatedLocation(first, "first defined here")])
            return
        }
        pending.append(key)
        pending.append(entry)
        if index >= 0 {
            keyIndexes[index][name] = key.location
        } else if pending.count - start > Self.linearKeys {
            var index: [String: SourceLocation] = [:]
            for other in stride(from: start, to: pending.count, by: 2) {
                index[NodeTree.text(of: pending[other], in: texts)] = pending[other].location
            }
            keyIndexes.append(index)
            open!.index = Int32(keyIndexes.count - 1)
        }
    }

    private mutating func reportParserError(_ parser: yaml_parser_t, bytes: [UInt8]) {
        let problem = parser.problem.map { String(cString: $0) } ?? "unknown error"
        var at = location(parser.problem_mark)
        if parser.error == YAML_READER_ERROR {
            let (line, column) = SourceFile(path: file, bytes: bytes).position(ofByte: parser.problem_offset)
            at = SourceLocation(file: file, line: line, column: column)
        }
        var message = problem
        var related: [RelatedLocation] = []
        if let context = parser.context.map({ String(cString: $0) }) {
            message += " " + context
            let contextAt = location(parser.context_mark)
            if contextAt != at { related.append(RelatedLocation(contextAt, context.replacingOccurrences(of: "while parsing ", with: "") + " starts here")) }
        }
        diagnostics.report(.yamlSyntax, at: at, message, hint: Self.hint(for: problem), related: related)
    }

    private static func hint(for problem: String) -> String? {
        switch problem {
        case "mapping values are not allowed in this context":
            return "quote values that contain ': ', or check the indentation of this line"
        case "did not find expected key", "did not find expected '-' indicator":
            return "check that this line is indented like its siblings"
        case "found character that cannot start any token":
            return "quote values that start with '@', '`', '%' or other reserved characters"
        case "found unexpected end of stream", "found unknown escape character":
            return "check the quotes on this line"
        default:
            return nil
        }
    }
}

extension YAMLReader {
    /// libyaml's bare event parse of `bytes`, building nothing: the floor any libyaml-based
    /// compile can reach. Benchmarks report compile time as a ratio to this. Returns the number
    /// of events, or `nil` when libyaml rejects the input.
    public static func countEvents(_ bytes: [UInt8]) -> Int? {
        var count = 0
        guard case .finished = LibYAML.parse(bytes, { _ in count += 1; return true }) else { return nil }
        return count
    }
}

/// The libyaml event loop, shared by the tree builder and the baseline parse.
private enum LibYAML {
    enum Outcome {
        /// The stream ended, or the handler stopped early.
        case finished
        /// libyaml rejected the input; the parser state says why and where.
        case failed(yaml_parser_t)
        case initFailed
    }

    /// Feeds every event to `handle` until the stream ends or `handle` returns `false`.
    static func parse(_ bytes: [UInt8], _ handle: (yaml_event_t) -> Bool) -> Outcome {
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        let event = UnsafeMutablePointer<yaml_event_t>.allocate(capacity: 1)
        defer {
            parser.deallocate()
            event.deallocate()
        }
        guard yaml_parser_initialize(parser) == 1 else { return .initFailed }
        defer { yaml_parser_delete(parser) }
        // libyaml keeps the input pointer until parsing ends, so all parsing happens inside the
        // closure. It reads exactly `count` bytes (no terminator); an empty input still needs an
        // address.
        let input = bytes.isEmpty ? [0] : bytes
        return input.withUnsafeBufferPointer { buffer -> Outcome in
            yaml_parser_set_input_string(parser, buffer.baseAddress!, bytes.count)
            while true {
                guard yaml_parser_parse(parser, event) == 1 else { return .failed(parser.pointee) }
                let ended = event.pointee.type == YAML_STREAM_END_EVENT
                let keepGoing = handle(event.pointee)
                yaml_event_delete(event)
                if ended || !keepGoing { return .finished }
            }
        }
    }
}
