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
    private var placement: Placement

    /// Where the segments start in the policy file. A pattern the policy spells one-to-one (each
    /// character of the value is one character of the source) derives them from its text, so the
    /// tens of thousands of patterns and tags of a large platform hold no array of locations.
    enum Placement: Hashable, Sendable {
        /// Segment `i` starts as many columns after `first` as the text has Unicode scalars
        /// (separators included) before it.
        case columns(first: SourceLocation)
        /// Every segment at the scalar: escapes or line breaks make columns inexact.
        case scalar(SourceLocation)
        /// Each segment's own location (patterns the compiler puts together from others).
        case listed([SourceLocation])
    }

    public init(text: String, segments: [Segment], segmentLocations: [SourceLocation]) {
        self.init(text: text, segments: segments, placement: .listed(segmentLocations))
    }

    init(text: String, segments: [Segment], placement: Placement) {
        self.text = text
        self.segments = segments
        self.placement = placement
    }

    /// Where each segment starts in the policy file.
    public var segmentLocations: [SourceLocation] {
        switch placement {
        case .listed(let locations): locations
        case .scalar(let location): Array(repeating: location, count: segments.count)
        case .columns(let first): columnOffsets(through: segments.count - 1).map { first.advanced(by: $0) }
        }
    }

    /// Where the segment at `index` starts.
    public func location(ofSegment index: Int) -> SourceLocation {
        switch placement {
        case .listed(let locations): locations[index]
        case .scalar(let location): location
        case .columns(let first): index == 0 ? first : first.advanced(by: columnOffsets(through: index)[index])
        }
    }

    /// How many columns after the first segment's start each segment up to `last` starts: the
    /// Unicode scalars (bytes that do not continue one) before it, separators included.
    private func columnOffsets(through last: Int) -> [Int] {
        var offsets = [0]
        var offset = 0
        for byte in text.utf8 where byte & 0xC0 != 0x80 {
            offset += 1
            guard byte == UInt8(ascii: ":") else { continue }
            if offsets.count > last { break }
            offsets.append(offset)
        }
        return offsets
    }

    public var location: SourceLocation { location(ofSegment: 0) }

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
        segments.firstIndex(of: .hole(name)).map { location(ofSegment: $0) } ?? location
    }

    /// Equal text, segments and segment locations, however the locations are kept.
    public static func == (a: KeyPattern, b: KeyPattern) -> Bool {
        guard a.text == b.text, a.segments == b.segments else { return false }
        return a.placement == b.placement || a.segmentLocations == b.segmentLocations
    }

    /// Text and segments: patterns that are equal have equal ones.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(text)
        hasher.combine(segments)
    }
}
