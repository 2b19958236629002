/// Which of a service's key families an invalidation can drop entries of: a key by name, a tag
/// by the families carrying a tag that can render the same set, a pattern by the families it can
/// match. The families' patterns and tags are resolved once per service, not once per action.
/// The blast-radius rule and the program builder both ask here.
struct FamilyReach {
    let families: [KeyFamily]
    private let patterns: [[SegmentAlgebra.Segment]?]
    private let tags: [[[SegmentAlgebra.Segment]]]
    private let types: [String: ParamType]

    init(_ service: Service) {
        let types = Dictionary(service.params.map { ($0.name.value, $0.type) }, uniquingKeysWith: { first, _ in first })
        self.types = types
        families = service.keys
        patterns = service.keys.map { SegmentAlgebra.resolve($0.pattern, params: types) }
        tags = service.keys.map { $0.tags.compactMap { SegmentAlgebra.resolve($0, params: types) } }
    }

    /// The families `target` reaches, in declaration order; none when a param is unknown.
    func families(_ target: InvalidationAction.Target) -> [KeyFamily] {
        switch target {
        case .key(_, let name):
            return families.filter { $0.name.value == name.value }
        case .tag(let tag):
            guard let wanted = SegmentAlgebra.resolve(tag, params: types) else { return [] }
            return families.indices.filter { index in tags[index].contains { SegmentAlgebra.overlap(wanted, $0) != nil } }.map { families[$0] }
        case .pattern(let glob):
            guard let wanted = SegmentAlgebra.resolve(glob, params: types) else { return [] }
            return families.indices.filter { index in patterns[index].map { SegmentAlgebra.globMatch(wanted, $0) != nil } ?? false }.map { families[$0] }
        }
    }
}
