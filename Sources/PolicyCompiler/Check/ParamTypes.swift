/// A service's params by name. A service declares a handful, so a name is found by a linear search,
/// which costs less than hashing it; a name declared twice keeps its first type.
struct ParamTypes: Sendable {
    private var names: [String] = []
    private var types: [ParamType] = []

    init(_ params: [Param]) {
        names.reserveCapacity(params.count)
        types.reserveCapacity(params.count)
        for param in params where !names.contains(param.name.value) {
            names.append(param.name.value)
            types.append(param.type)
        }
    }

    subscript(name: String) -> ParamType? {
        names.firstIndex(of: name).map { types[$0] }
    }
}
