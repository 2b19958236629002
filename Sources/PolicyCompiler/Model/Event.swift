/// An event a service produces, with its typed payload and the entities it changes.
public struct Event: Sendable {
    public var name: Located<String>
    public var description: String?
    public var payload: [Param]
    public var mutates: [Located<String>]

    public func field(_ name: String) -> Param? { payload.first { $0.name.value == name } }
}
