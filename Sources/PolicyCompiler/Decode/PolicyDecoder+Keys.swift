extension PolicyDecoder {
    mutating func decodeKeys(_ node: Node, defaults: Defaults) -> [KeyFamily] {
        guard let pairs = mapping(node, "'keys'") else { return [] }
        var families: [KeyFamily] = []
        for pair in pairs {
            let name = Located(pair.key, at: pair.keyLocation)
            if checkIdentifier(name, "the key family", .member), let family = decodeKeyFamily(name, pair.value, defaults: defaults) {
                families.append(family)
            } else {
                undecodable.insert("key:\(pair.key)")
            }
        }
        return families
    }

    private mutating func decodeKeyFamily(_ name: Located<String>, _ node: Node, defaults: Defaults) -> KeyFamily? {
        // Only built when a message needs it.
        func what() -> String { "key family '\(name.value)'" }
        guard let fields = fields(node, "the \(what())", PolicyFields.keyFamily) else {
            return nil
        }
        var keyPattern = fields["pattern"].flatMap { self.pattern($0, "the pattern of \(what())", use: .key) }
        let keyVersion = fields["keyVersion"].flatMap { int($0, "'keyVersion' of \(what())", in: PolicyFields.keyVersion) }
        if let version = keyVersion, version.value > 1, let base = keyPattern {
            keyPattern = KeyPattern(
                text: base.text + ":v\(version.value)", segments: base.segments + [.literal("v\(version.value)")],
                segmentLocations: base.segmentLocations + [version.location])
        }
        let ttl = fields["ttl"].flatMap { duration($0, "the TTL of \(what())") }
        if fields["ttl"] == nil, defaults.ttl == nil, !undecodable.contains("defaults:ttl") {
            diagnostics.report(
                .missingField, at: node.location, "the \(what()) has no 'ttl' and the service has no 'defaults.ttl'",
                hint: "add 'ttl: 15m' (or another duration) to the key family or to 'defaults'")
        }
        let codec = fields["codec"].flatMap { choice($0, "the codec of \(what())", Codec.self) }
        let effectiveCodec = BuiltinDefaults.codec(codec, under: defaults)
        var value = fields["value"].flatMap { string($0, "the value type of \(what())") }
        if let given = value {
            if let builtin = effectiveCodec.builtinValueType, given.value != builtin {
                diagnostics.report(
                    .invalidValue, at: given.location,
                    "the \(effectiveCodec.rawValue) codec stores \(builtin), but \(what()) declares '\(given.value)'",
                    hint: "use 'codec: json' for a Codable type, or remove 'value:'")
                value = nil
            } else if let parsed = ValueTypeName(given.value) {
                value = Located(parsed.canonical, at: given.location)
            } else {
                diagnostics.report(
                    .invalidIdentifier, at: given.location, "the value type '\(given.value)' is not a Swift type",
                    hint: "write a type such as 'Book', 'Models.Book', '[Book]', 'Book?' or '[String: Book]'")
                value = nil
            }
        } else if effectiveCodec == .json, fields["value"] == nil {
            diagnostics.report(
                .missingField, at: node.location, "the \(what()) uses the json codec but has no 'value' type",
                hint: "add 'value: TypeName' (a Codable type), or choose 'codec: string', 'int' or 'bytes'")
        }
        var nearCache: Located<Int>?
        if let nearNode = fields["nearCache"],
           let near = self.fields(nearNode, "'nearCache' of \(what())", PolicyFields.nearCache) {
            nearCache = near["entries"].flatMap { int($0, "'nearCache.entries'", in: PolicyFields.nearCacheEntries) }
        }
        let tags = fields["tags"].flatMap { list($0, "the tags of \(what())") }?
            .compactMap { self.pattern($0, "a tag of \(what())", use: .tag) } ?? []
        let description = fields["description"].flatMap { string($0, "'description'")?.value }
        let jitter = fields["jitter"].flatMap { percentage($0, "the jitter of \(what())") }
        let compress = fields["compress"].flatMap { compression($0, "'compress' of \(what())") }
        let dependsOn = fields["dependsOn"].map { identifiers($0, "'dependsOn' of \(what())", .member) } ?? []
        let sliding = fields["sliding"].flatMap { bool($0, "'sliding' of \(what())") }
        let maxAge = fields["maxAge"].flatMap { duration($0, "'maxAge' of \(what())") }
        let readFrom = fields["readFrom"].flatMap { choice($0, "'readFrom' of \(what())", ReadFrom.self) }
        let slot = fields["slot"].flatMap { identifier($0, "'slot' of \(what())", .member) }
        if let slot, let keyPattern, !keyPattern.params.contains(slot.value) {
            diagnostics.report(
                .invalidValue, at: slot.location, "'slot' of \(what()) names '\(slot.value)', which is not a param of its key",
                hint: keyPattern.params.isEmpty ? "the key has no param to hash by; remove 'slot'"
                    : "use one of its key params: \(keyPattern.params.joined(separator: ", "))")
        }
        var refreshAhead: Located<Percent>?
        if let refreshNode = fields["refresh"],
           let refresh = self.fields(refreshNode, "'refresh' of \(what())", PolicyFields.refresh) {
            refreshAhead = refresh["ahead"].flatMap { percentage($0, "'refresh.ahead' of \(what())") }
        }
        // A family whose pattern is broken is dropped; one with other errors is kept for later checks.
        guard let keyPattern else { return nil }
        return KeyFamily(
            name: name, description: description, pattern: keyPattern, ttl: ttl, jitter: jitter, codec: codec,
            value: value, compress: compress, tags: tags, dependsOn: dependsOn, nearCache: nearCache, keyVersion: keyVersion,
            sliding: sliding, maxAge: maxAge, refreshAhead: refreshAhead, readFrom: readFrom,
            slot: slot.flatMap { slot in keyPattern.params.contains(slot.value) ? slot : nil })
    }
}
