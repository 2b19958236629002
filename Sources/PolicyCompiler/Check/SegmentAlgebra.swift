import Foundation

/// Reasoning about which concrete keys patterns can produce, under ``KeyEncoding``.
/// Every answer comes with a witness (a concrete segment or key) so diagnostics can show one.
enum SegmentAlgebra {
    /// Literal text compared as UTF-8 bytes, as Redis compares keys.
    typealias Bytes = UTF8Bytes

    /// A pattern segment with its hole's type resolved.
    enum Segment: Hashable, Sendable {
        case literal(Bytes)
        case typed(name: String, ParamType)
        /// `*` in an invalidation pattern: one or more whole segments of anything.
        case wildcard
    }

    /// Resolves a pattern's holes against the declared params; `nil` if a param is unknown.
    static func resolve(_ pattern: KeyPattern, params: ParamTypes) -> [Segment]? {
        var out: [Segment] = []
        out.reserveCapacity(pattern.segments.count)
        for segment in pattern.segments {
            switch segment {
            case .literal(let text): out.append(.literal(Bytes(text)))
            case .wildcard: out.append(.wildcard)
            case .hole(let name):
                guard let type = params[name] else { return nil }
                out.append(.typed(name: name, type))
            }
        }
        return out
    }

    /// A sample value the runtime renders for `type`.
    static func sample(_ type: ParamType) -> String {
        switch type {
        case .string: "x"
        case .int: "1"
        case .uuid: "00000000-0000-0000-0000-000000000000"
        case .bool: "true"
        case .enumeration(let values): values.first ?? "x"
        }
    }

    /// A segment both `a` and `b` can render to, or `nil` if they are disjoint.
    static func common(_ a: Segment, _ b: Segment) -> String? {
        switch (a, b) {
        case (.wildcard, .wildcard): return "x"
        case (.wildcard, .literal(let bytes)), (.literal(let bytes), .wildcard): return bytes.text
        case (.wildcard, .typed(_, let type)), (.typed(_, let type), .wildcard): return sample(type)
        case (.literal(let x), .literal(let y)): return x == y ? x.text : nil
        case (.literal(let bytes), .typed(_, let type)), (.typed(_, let type), .literal(let bytes)):
            return KeyEncoding.canRender(bytes.text, as: type) ? bytes.text : nil
        case (.typed(_, let x), .typed(_, let y)):
            return common(x, y)
        }
    }

    private static func common(_ x: ParamType, _ y: ParamType) -> String? {
        switch (x, y) {
        case (.enumeration(let values), let other), (let other, .enumeration(let values)):
            return values.first { KeyEncoding.canRender($0, as: other) }
        case (.string, let other), (let other, .string):
            return sample(other)
        default:
            return x == y ? sample(x) : nil
        }
    }

    /// Whether both fixed-length patterns can produce one same key (``overlap(_:_:)`` without the witness).
    static func overlaps(_ a: [Segment], _ b: [Segment]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { common($0, $1) != nil }
    }

    /// A concrete key both fixed-length patterns can produce (`user:me` for `user:{name}` and `user:me`).
    static func overlap(_ a: [Segment], _ b: [Segment]) -> String? {
        guard a.count == b.count else { return nil }
        var key: [String] = []
        for (x, y) in zip(a, b) {
            guard let value = common(x, y) else { return nil }
            key.append(value)
        }
        return key.joined(separator: ":")
    }

    /// Whether two fixed-length patterns produce exactly the same keys (same literals, same types).
    static func sameKeys(_ a: [Segment], _ b: [Segment]) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).allSatisfy { x, y in
            switch (x, y) {
            case (.literal(let p), .literal(let q)): p == q
            case (.typed(_, let p), .typed(_, let q)): p == q
            default: false
            }
        }
    }

    /// A key of `family` that the glob can match, or `nil` if it can match none.
    static func globMatch(_ glob: [Segment], _ family: [Segment]) -> String? {
        guard globMatches(glob, family) else { return nil }
        var memo: [Int: String?] = [:]
        func match(_ i: Int, _ j: Int) -> String? {
            let slot = i * (family.count + 1) + j
            if let known = memo[slot] { return known }
            var result: String?
            if i == glob.count {
                result = j == family.count ? "" : nil
            } else if glob[i] == .wildcard {
                var k = j + 1
                while k <= family.count, result == nil {
                    if let rest = match(i + 1, k) {
                        let absorbed = family[j..<k].map { common(.wildcard, $0)! }.joined(separator: ":")
                        result = join(absorbed, rest)
                    }
                    k += 1
                }
            } else if j < family.count, let value = common(glob[i], family[j]), let rest = match(i + 1, j + 1) {
                result = join(value, rest)
            }
            memo[slot] = result
            return result
        }
        return match(0, 0)
    }

    /// Whether the glob can match some key of `family` (``globMatch(_:_:)`` without the witness).
    static func globMatches(_ glob: [Segment], _ family: [Segment]) -> Bool {
        solve(glob, family) { common($0, $1) != nil }
    }

    /// Whether the glob matches every key of `family` whose holes named like the glob's holes hold
    /// the bound values: literals equal literals, a hole covers the family's hole of the same name,
    /// and `*` covers one or more segments of anything.
    static func globCovers(_ glob: [Segment], _ family: [Segment]) -> Bool {
        solve(glob, family) { globSegment, familySegment in
            switch (globSegment, familySegment) {
            case (.literal(let p), .literal(let q)): p == q
            case (.typed(let p, _), .typed(let q, _)): p == q
            default: false
            }
        }
    }

    /// Whether `glob` (whose `*` stands for one or more whole segments) lines up with `family` so
    /// that every other segment pair satisfies `fits`. A glob without `*` is compared position by
    /// position; otherwise a table of sub-answers on the stack keeps the search linear in the
    /// table's size.
    private static func solve(_ glob: [Segment], _ family: [Segment], fits: (Segment, Segment) -> Bool) -> Bool {
        guard glob.contains(.wildcard) else {
            return glob.count == family.count && zip(glob, family).allSatisfy { fits($0, $1) }
        }
        let width = family.count + 1
        return withUnsafeTemporaryAllocation(of: Int8.self, capacity: (glob.count + 1) * width) { memo in
            memo.initialize(repeating: -1)
            func solves(_ i: Int, _ j: Int) -> Bool {
                let slot = i * width + j
                if memo[slot] >= 0 { return memo[slot] == 1 }
                var result = false
                if i == glob.count {
                    result = j == family.count
                } else if glob[i] == .wildcard {
                    var k = j + 1
                    while k <= family.count, !result {
                        result = solves(i + 1, k)
                        k += 1
                    }
                } else if j < family.count {
                    result = fits(glob[i], family[j]) && solves(i + 1, j + 1)
                }
                memo[slot] = result ? 1 : 0
                return result
            }
            return solves(0, 0)
        }
    }

    private static func join(_ head: String, _ rest: String) -> String {
        rest.isEmpty ? head : head + ":" + rest
    }
}
