extension PolicyDecoder {
    /// A `cachepolicy.yaml` generation config (see ``GenerationConfig``).
    mutating func decodeGenerationConfig(_ node: Node) -> GenerationConfig? {
        guard let fields = fields(node, "the generation config", known: GenerationConfig.fields) else { return nil }
        var config = GenerationConfig()
        if let importsNode = fields["imports"], let items = list(importsNode, "'imports'") {
            for item in items {
                guard let name = string(item, "a module in 'imports'") else { continue }
                if GenerationConfig.isModuleName(name.value) {
                    config.imports.append(name.value)
                } else {
                    diagnostics.report(
                        .invalidIdentifier, at: name.location, "'\(name.value)' is not a Swift module name",
                        hint: "name the module that declares the value types, e.g. 'BookModels'")
                }
            }
        }
        config.access = fields["access"].flatMap { choice($0, "'access'", AccessLevel.self) }?.value
        config.strict = fields["strict"].flatMap { bool($0, "'strict'") }?.value ?? false
        if let referencesNode = fields["references"], let items = list(referencesNode, "'references'") {
            config.references = items.compactMap { string($0, "a path in 'references'")?.value }
        }
        return config
    }
}
