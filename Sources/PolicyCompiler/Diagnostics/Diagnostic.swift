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

/// Collects diagnostics from every stage; stages keep going after an error.
public struct DiagnosticBag: Sendable {
    public private(set) var diagnostics: [Diagnostic] = []

    public init() {}

    public mutating func report(_ diagnostic: Diagnostic) {
        diagnostics.append(diagnostic)
    }

    public mutating func report(
        _ code: DiagnosticCode, at location: SourceLocation, _ message: String,
        hint: String? = nil, related: [RelatedLocation] = []
    ) {
        diagnostics.append(Diagnostic(code, at: location, message, hint: hint, related: related))
    }

    public mutating func append(contentsOf other: [Diagnostic]) {
        diagnostics.append(contentsOf: other)
    }

    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    /// The diagnostics without repeats, in report order.
    public var sorted: [Diagnostic] {
        var seen = Set<Diagnostic>()
        return diagnostics.filter { seen.insert($0).inserted }.sorted(by: Diagnostic.reportOrder)
    }
}
