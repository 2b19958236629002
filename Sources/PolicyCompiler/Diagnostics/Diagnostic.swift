/// How serious a diagnostic is. Errors fail `lint`; warnings fail it only with `--strict`.
public enum Severity: String, Sendable, Hashable, Codable, Comparable {
    case error
    case warning
    case note

    private var rank: Int {
        switch self {
        case .error: 0
        case .warning: 1
        case .note: 2
        }
    }

    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}

/// One finding about a policy: where, which rule, what is wrong and how to fix it.
public struct Diagnostic: Sendable, Hashable {
    public var code: DiagnosticCode
    public var severity: Severity
    public var location: SourceLocation
    /// One sentence saying what is wrong.
    public var message: String
    /// How to fix it, when the compiler knows (`did you mean 'ttl'?`).
    public var hint: String?
    /// Related places, e.g. the other half of a conflict.
    public var related: [RelatedLocation]

    public init(
        _ code: DiagnosticCode,
        at location: SourceLocation,
        _ message: String,
        hint: String? = nil,
        related: [RelatedLocation] = [],
        severity: Severity? = nil
    ) {
        self.code = code
        self.severity = severity ?? code.severity
        self.location = location
        self.message = message
        self.hint = hint
        self.related = related
    }

    /// The order diagnostics are reported in: by file, position, then code.
    public static func reportOrder(_ a: Diagnostic, _ b: Diagnostic) -> Bool {
        if a.location != b.location { return a.location < b.location }
        if a.code != b.code { return a.code.rawValue < b.code.rawValue }
        return a.message < b.message
    }
}

/// A secondary place a diagnostic points at.
public struct RelatedLocation: Sendable, Hashable {
    public var location: SourceLocation
    public var message: String

    public init(_ location: SourceLocation, _ message: String) {
        self.location = location
        self.message = message
    }
}

/// Collects diagnostics from every stage; stages keep going after an error. Repeats are dropped.
///
/// With a `limit`, memory stays bounded however many findings a platform produces: only the first
/// `limit` diagnostics in report order are kept (the bag sorts and trims whenever it holds twice
/// that many), while the counts stay exact. Repeats are recognised by hash, 8 bytes per finding.
public struct DiagnosticBag: Sendable {
    /// Keep at most this many diagnostics; `nil` keeps all.
    public let limit: Int?
    private var kept: [Diagnostic] = []
    private var seen = Set<Int>()
    public private(set) var errorCount = 0
    public private(set) var warningCount = 0
    /// Every distinct diagnostic reported, kept or not.
    public private(set) var total = 0

    public init(limit: Int? = nil) {
        self.limit = limit.map { max(1, $0) }
    }

    /// The kept diagnostics, in the order they were reported (up to trimming).
    public var diagnostics: [Diagnostic] { kept }

    public mutating func report(_ diagnostic: Diagnostic) {
        guard seen.insert(diagnostic.hashValue).inserted else { return }
        total += 1
        switch diagnostic.severity {
        case .error: errorCount += 1
        case .warning: warningCount += 1
        case .note: break
        }
        kept.append(diagnostic)
        if let limit, kept.count >= 2 * limit {
            kept.sort(by: Diagnostic.reportOrder)
            kept.removeSubrange(limit...)
        }
    }

    public mutating func report(
        _ code: DiagnosticCode, at location: SourceLocation, _ message: String,
        hint: String? = nil, related: [RelatedLocation] = []
    ) {
        report(Diagnostic(code, at: location, message, hint: hint, related: related))
    }

    public mutating func append(contentsOf other: [Diagnostic]) {
        for diagnostic in other { report(diagnostic) }
    }

    /// Another bag's diagnostics and counts (what it trimmed still counts).
    public mutating func merge(_ other: DiagnosticBag) {
        let trimmedErrors = other.errorCount - other.kept.count { $0.severity == .error }
        let trimmedWarnings = other.warningCount - other.kept.count { $0.severity == .warning }
        append(contentsOf: other.kept)
        total += other.total - other.kept.count
        errorCount += trimmedErrors
        warningCount += trimmedWarnings
    }

    public var hasErrors: Bool { errorCount > 0 }

    /// The kept diagnostics in report order (the first `limit` of all, when limited).
    public var sorted: [Diagnostic] {
        let ordered = kept.sorted(by: Diagnostic.reportOrder)
        return limit.map { Array(ordered.prefix($0)) } ?? ordered
    }

    /// How many diagnostics were reported but not kept.
    public var omitted: Int { total - sorted.count }
}
