/// Which of a service's key families an invalidation can drop entries of: a key by name, a tag
/// by the families carrying a tag that can render the same set, a pattern by the families it can
/// match. The families' patterns and tags are resolved once per service, not once per action.
/// The blast-radius rule and the program builder both ask here.
struct FamilyReach: Sendable {
    let families: [KeyFamily]
    /// Each family's key pattern resolved (`nil`: it uses an undeclared param), by index in `families`.
    let patterns: [[SegmentAlgebra.Segment]?]
    /// Each family's tags resolved, in its order (`nil`: a tag uses an undeclared param).
    let tags: [[[SegmentAlgebra.Segment]?]]
    /// The service's params by name (the first declaration of a repeated name).
    let types: ParamTypes

    init(_ service: Service) {
        self.init(service, types: ParamTypes(service.params))
    }

    /// With the service's params already gathered by name.
    init(_ service: Service, types: ParamTypes) {
        self.types = types
        families = service.keys
        patterns = service.keys.map { SegmentAlgebra.resolve($0.pattern, params: types) }
        tags = service.keys.map { $0.tags.map { SegmentAlgebra.resolve($0, params: types) } }
    }

    /// A pattern of this service with its holes' types; `nil` when a param is undeclared.
    func resolve(_ pattern: KeyPattern) -> [SegmentAlgebra.Segment]? {
        SegmentAlgebra.resolve(pattern, params: types)
    }

    /// The families `target` reaches, in declaration order; none when a param is unknown.
    func families(_ target: InvalidationAction.Target) -> [KeyFamily] {
        switch target {
        case .key(_, let name):
            return families.filter { $0.name.value == name.value }
        case .tag(let tag):
            guard let wanted = resolve(tag) else { return [] }
            return families.indices.compactMap { index in
                tags[index].contains { $0.map { SegmentAlgebra.overlaps(wanted, $0) } ?? false } ? families[index] : nil
            }
        case .pattern(let glob):
            guard let wanted = resolve(glob) else { return [] }
            return families.indices.compactMap { index in
                patterns[index].map { SegmentAlgebra.globMatches(wanted, $0) } == true ? families[index] : nil
            }
        }
    }
}
