/// A `:`-separated template of literal segments and `{param}` holes, used for key patterns,
/// tag templates and invalidation patterns (which may also contain `*` segments).
public struct KeyPattern: Hashable, Sendable, CustomStringConvertible {
    public enum Segment: Hashable, Sendable {
        case literal(String)
        case hole(String)
        /// `*` in an invalidation pattern: one or more whole segments.
        case wildcard
    }

    /// The separator between segments.
    public static let separator: Character = ":"

    /// The pattern as written.
    public var text: String
    public var segments: [Segment]
    /// Where each segment starts in the policy file.
    public var segmentLocations: [SourceLocation]

    public init(text: String, segments: [Segment], segmentLocations: [SourceLocation]) {
        self.text = text
        self.segments = segments
        self.segmentLocations = segmentLocations
    }

    public var location: SourceLocation { segmentLocations[0] }

    /// The params of the holes, in order of appearance, without repeats.
    public var params: [String] {
        var seen = Set<String>()
        return segments.compactMap { segment in
            if case .hole(let name) = segment, seen.insert(name).inserted { return name }
            return nil
        }
    }

    public var description: String { text }

    public func location(ofParam name: String) -> SourceLocation {
        segments.firstIndex(of: .hole(name)).map { segmentLocations[$0] } ?? location
    }
}
