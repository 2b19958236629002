/// A service's params by name; a name declared twice keeps its first type.
struct ParamTypes: Sendable {
    /// The params' names (also for checks that need positions, such as unused params).
    let names: NameIndex
    /// By position in the service's `params`.
    private let types: [ParamType]

    init(_ params: [Param]) {
        names = NameIndex(params.map(\.name.value))
        types = params.map(\.type)
    }

    subscript(name: String) -> ParamType? {
        names.firstIndex(of: name).map { types[$0] }
    }
}
