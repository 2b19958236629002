/// The platform file's cross-cutting rules: one platform per policy set, and one TLS choice per
/// environment. (Each value's own shape is the decoder's.)
enum PlatformRules {
    static func check(_ platforms: [Platform], services: [Service]) -> DiagnosticBag {
        var diagnostics = DiagnosticBag()
        if let first = platforms.first {
            for other in platforms.dropFirst() {
                diagnostics.report(
                    .platformFile, at: other.name.location, "a second platform file; the environments are already declared in \(first.file)",
                    hint: "keep one platform.yaml per policy set",
                    related: [RelatedLocation(first.name.location, "first declared here")])
            }
        }
        for platform in platforms {
            for environment in platform.environments {
                let urls = environment.redis.value.literalURLs
                let secure = urls.filter { $0.lowercased().hasPrefix("rediss://") }
                if !secure.isEmpty, secure.count < urls.count {
                    diagnostics.report(
                        .invalidRedisURL, at: environment.redis.location,
                        "the environment '\(environment.name.value)' mixes redis:// and rediss:// addresses",
                        hint: "use rediss:// everywhere (or give 'tls:') so every connection is encrypted")
                }
            }
        }
        // One cluster environment is enough to need every write in one slot.
        if let cluster = platforms.first?.environments.first(where: { if case .cluster = $0.redis.value { true } else { false } }) {
            checkCrossSlot(services, cluster: cluster, into: &diagnostics)
        }
        return diagnostics
    }
}
