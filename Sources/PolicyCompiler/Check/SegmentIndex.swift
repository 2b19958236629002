/// Resolved patterns (or tags) by the literal at each position, so that a query finds the few
/// entries it can line up with instead of testing each one.
///
/// Before a query's first `*`, segments line up one to one (a hole is one segment, `*` one or
/// more whole ones), so an entry that ends before such a position, or holds another literal there
/// (compared as bytes), cannot line up with the query. Entries with a hole there, unresolved ones
/// and ones holding a `*` stay candidates; the caller tests every candidate as before, so the
/// answers are the same, only the entries that cannot match are skipped. Built only past
/// ``minimumEntries``: the handful of families of a service are tested directly.
struct SegmentIndex: Sendable {
    static let minimumEntries = 32

    /// Position → literal → the entries with that literal there, ascending.
    private var literals: [[SegmentAlgebra.Bytes: [Int]]] = []
    /// Position → the entries with a hole there, ascending.
    private var holes: [[Int]] = []
    /// Entries any query may line up with (unresolved, or holding a `*`), ascending.
    private var always: [Int] = []
    /// How many entries there are.
    let count: Int

    /// `nil` below ``minimumEntries`` entries.
    init?(_ entries: [[SegmentAlgebra.Segment]?]) {
        guard entries.count >= Self.minimumEntries else { return nil }
        count = entries.count
        for (entry, segments) in entries.enumerated() {
            guard let segments, !segments.contains(.wildcard) else {
                always.append(entry)
                continue
            }
            for (position, segment) in segments.enumerated() {
                if position == literals.count {
                    literals.append([:])
                    holes.append([])
                }
                if case .literal(let text) = segment {
                    literals[position][text, default: []].append(entry)
                } else {
                    holes[position].append(entry)
                }
            }
        }
    }

    /// The entries `query` may line up with, ascending: every entry it does line up with, and
    /// perhaps others. Uses the query's most selective literal before its first `*`.
    func candidates(for query: [SegmentAlgebra.Segment]) -> [Int] {
        var best: (literal: [Int], holes: [Int])?
        for (position, segment) in query.enumerated() {
            if segment == .wildcard { break }
            guard case .literal(let text) = segment else { continue }
            guard position < literals.count else {
                // No entry without a `*` is this long.
                best = ([], [])
                break
            }
            let withLiteral = literals[position][text] ?? []
            if best.map({ withLiteral.count + holes[position].count < $0.literal.count + $0.holes.count }) ?? true {
                best = (withLiteral, holes[position])
            }
        }
        guard let best else { return Array(0..<count) }
        return Self.union(Self.union(best.literal, best.holes), always)
    }

    /// Two ascending lists of distinct entries merged into one.
    private static func union(_ a: [Int], _ b: [Int]) -> [Int] {
        if a.isEmpty { return b }
        if b.isEmpty { return a }
        var merged: [Int] = []
        merged.reserveCapacity(a.count + b.count)
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if j == b.count || (i < a.count && a[i] < b[j]) {
                merged.append(a[i])
                i += 1
            } else {
                if i < a.count, a[i] == b[j] { i += 1 }
                merged.append(b[j])
                j += 1
            }
        }
        return merged
    }
}
