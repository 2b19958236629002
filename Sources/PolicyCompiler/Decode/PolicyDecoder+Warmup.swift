extension PolicyDecoder {
    mutating func decodeWarmups(_ node: Node) -> [WarmupJob] {
        guard let pairs = mapping(node, "'warmup'") else { return [] }
        return pairs.compactMap { pair in
            let name = Located(pair.key, at: pair.keyLocation)
            // Only built when a message needs it.
            func what() -> String { "the warmup job '\(pair.key)'" }
            guard checkIdentifier(name, "the warmup job", .job),
                  let fields = fields(pair.value, what(), PolicyFields.warmup)
            else { return nil }
            var retry: Retry?
            if let retryNode = fields["retry"],
               let retryFields = self.fields(retryNode, "'retry' of \(what())", PolicyFields.retry) {
                retry = Retry(
                    attempts: retryFields["attempts"].flatMap { int($0, "'retry.attempts'", in: PolicyFields.attempts) },
                    backoff: retryFields["backoff"].flatMap { duration($0, "'retry.backoff'") },
                    max: retryFields["max"].flatMap { duration($0, "'retry.max'") },
                    location: retryNode.location)
            }
            let keys = fields["keys"].flatMap { list($0, "'keys' of \(what())") }?
                .compactMap { familyReference($0, what()) } ?? []
            return WarmupJob(
                name: name,
                description: fields["description"].flatMap { string($0, "'description'")?.value },
                keys: keys,
                source: fields["source"].flatMap { identifier($0, "the source of \(what())", .member) },
                priority: fields["priority"].flatMap { choice($0, "the priority of \(what())", WarmupJob.Priority.self) },
                every: fields["every"].flatMap { duration($0, "'every' of \(what())") },
                after: fields["after"].map { identifiers($0, "'after' of \(what())", .event) } ?? [],
                batch: fields["batch"].flatMap { int($0, "'batch' of \(what())", in: PolicyFields.batch) },
                concurrency: fields["concurrency"].flatMap { int($0, "'concurrency' of \(what())", in: PolicyFields.concurrency) },
                retry: retry,
                location: pair.keyLocation)
        }
    }
}
