/// A stable diagnostic code such as `CP104`. Codes never change meaning once released;
/// `cachepolicy explain CODE` prints the long explanation from ``DiagnosticCatalogue``.
public struct DiagnosticCode: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    public var description: String { rawValue }

    /// The catalogue entry; every code the compiler emits has one.
    public var entry: DiagnosticCatalogue.Entry { DiagnosticCatalogue.entry(for: self)! }
    public var severity: Severity { entry.severity }
    public var name: String { entry.name }

    public static func < (a: DiagnosticCode, b: DiagnosticCode) -> Bool { a.rawValue < b.rawValue }
}

extension DiagnosticCode {
    // Syntax: the file as YAML.
    public static let yamlSyntax = DiagnosticCode(rawValue: "CP100")
    public static let tabIndentation = DiagnosticCode(rawValue: "CP101")
    public static let invalidUTF8 = DiagnosticCode(rawValue: "CP102")
    public static let multipleDocuments = DiagnosticCode(rawValue: "CP103")
    public static let duplicateKey = DiagnosticCode(rawValue: "CP104")
    public static let aliasLimit = DiagnosticCode(rawValue: "CP105")
    public static let depthLimit = DiagnosticCode(rawValue: "CP106")
    public static let fileTooLarge = DiagnosticCode(rawValue: "CP107")
    public static let unsupportedYAML = DiagnosticCode(rawValue: "CP108")
    public static let emptyFile = DiagnosticCode(rawValue: "CP109")

    // Schema: the shape of a policy.
    public static let unknownField = DiagnosticCode(rawValue: "CP200")
    public static let typeMismatch = DiagnosticCode(rawValue: "CP201")
    public static let missingField = DiagnosticCode(rawValue: "CP202")
    public static let invalidDuration = DiagnosticCode(rawValue: "CP203")
    public static let invalidSize = DiagnosticCode(rawValue: "CP204")
    public static let invalidPercentage = DiagnosticCode(rawValue: "CP205")
    public static let invalidIdentifier = DiagnosticCode(rawValue: "CP206")
    public static let invalidValue = DiagnosticCode(rawValue: "CP207")
    public static let invalidPattern = DiagnosticCode(rawValue: "CP208")
    public static let invalidNumber = DiagnosticCode(rawValue: "CP209")

    // References: names that must resolve.
    public static let unknownParam = DiagnosticCode(rawValue: "CP300")
    public static let unusedParam = DiagnosticCode(rawValue: "CP301")
    public static let unknownKeyFamily = DiagnosticCode(rawValue: "CP302")
    public static let unknownEvent = DiagnosticCode(rawValue: "CP303")
    public static let unknownService = DiagnosticCode(rawValue: "CP304")
    public static let payloadMissingParam = DiagnosticCode(rawValue: "CP305")
    public static let duplicateService = DiagnosticCode(rawValue: "CP306")
    public static let duplicateEvent = DiagnosticCode(rawValue: "CP307")
    public static let duplicateKeyFamily = DiagnosticCode(rawValue: "CP308")
    public static let bindTypeMismatch = DiagnosticCode(rawValue: "CP309")
    public static let invalidBinding = DiagnosticCode(rawValue: "CP310")
    public static let crossServiceKey = DiagnosticCode(rawValue: "CP311")
    public static let unmutatedEntity = DiagnosticCode(rawValue: "CP312")

    // Keyspace: which concrete keys a pattern can produce.
    public static let keyOverlap = DiagnosticCode(rawValue: "CP400")
    public static let patternStartsWithHole = DiagnosticCode(rawValue: "CP401")
    public static let patternCrossesService = DiagnosticCode(rawValue: "CP402")
    public static let patternMatchesNothing = DiagnosticCode(rawValue: "CP403")
    public static let overInvalidation = DiagnosticCode(rawValue: "CP404")
    public static let patternNotIndexable = DiagnosticCode(rawValue: "CP405")
    public static let hashTagConflict = DiagnosticCode(rawValue: "CP406")

    // Staleness: writes that do not invalidate what depends on them.
    public static let staleOnEvent = DiagnosticCode(rawValue: "CP500")

    // Sanity: values that are legal but almost certainly wrong.
    public static let ttlZero = DiagnosticCode(rawValue: "CP600")
    public static let ttlAbsurd = DiagnosticCode(rawValue: "CP601")
    public static let warmupOutlivesTTL = DiagnosticCode(rawValue: "CP602")
    public static let thresholdOutOfRange = DiagnosticCode(rawValue: "CP603")
    public static let jitterTooLarge = DiagnosticCode(rawValue: "CP604")
    public static let backoffAboveMax = DiagnosticCode(rawValue: "CP605")
    public static let compressionIneffective = DiagnosticCode(rawValue: "CP606")

    // Generation: names that cannot become Swift.
    public static let reservedName = DiagnosticCode(rawValue: "CP700")
    public static let nameCollision = DiagnosticCode(rawValue: "CP701")

    // Platform: the environments file (`platform.yaml`).
    public static let secretInPolicy = DiagnosticCode(rawValue: "CP900")
    public static let invalidRedisURL = DiagnosticCode(rawValue: "CP901")
    public static let platformFile = DiagnosticCode(rawValue: "CP902")
    public static let sharedACLUser = DiagnosticCode(rawValue: "CP903")
    public static let crossSlot = DiagnosticCode(rawValue: "CP904")

    // Evolution: `cachepolicy diff`, a change between two versions of the policies.
    public static let keyPatternChanged = DiagnosticCode(rawValue: "CP800")
    public static let keyEncodingChanged = DiagnosticCode(rawValue: "CP801")
    public static let valueFormatChanged = DiagnosticCode(rawValue: "CP810")
    public static let consumedEventRemoved = DiagnosticCode(rawValue: "CP820")
    public static let payloadFieldChanged = DiagnosticCode(rawValue: "CP821")
    public static let invalidationRemoved = DiagnosticCode(rawValue: "CP830")
    public static let tagRemoved = DiagnosticCode(rawValue: "CP831")
    public static let dependencyRemoved = DiagnosticCode(rawValue: "CP832")
    public static let ttlRaised = DiagnosticCode(rawValue: "CP833")
    public static let stalenessWidened = DiagnosticCode(rawValue: "CP834")
    public static let apiRemoved = DiagnosticCode(rawValue: "CP840")
    public static let builderSignatureChanged = DiagnosticCode(rawValue: "CP841")
    public static let generatedRequirementAdded = DiagnosticCode(rawValue: "CP842")
}
