/// What a change between two versions of the policies can break while old and new code run side by
/// side against the same Redis during a rolling deploy. Users choose which categories fail CI.
public enum ChangeCategory: String, Sendable, CaseIterable, Comparable {
    /// Keys change: old entries are orphaned, and old and new instances miss each other's writes
    /// and invalidations.
    case keyspace = "KEYSPACE"
    /// Values under the same key change format: one side cannot decode the other's entries.
    case value = "VALUE"
    /// A consumed event or its payload changes: instances on the old payload type cannot decode it.
    case events = "EVENTS"
    /// Less is invalidated, or entries live longer: readers may see staler data.
    case freshness = "FRESHNESS"
    /// The generated Swift API changes: callers no longer compile.
    case source = "SOURCE"

    public static func < (a: ChangeCategory, b: ChangeCategory) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// What fails CI unless `--fail-on` says otherwise: what corrupts or loses data at run time.
    public static let defaultFailing: Set<ChangeCategory> = [.keyspace, .value, .events]
}

/// Compares two versions of a platform's policies (`cachepolicy diff`) and classifies every change
/// that matters, like `buf breaking`. Services, families, events and jobs are matched by name.
/// Findings are diagnostics (codes CP8xx, see ``DiagnosticCatalogue``): errors when their category
/// is one of `failOn`, warnings otherwise.
public struct PolicyDiff {
    public let old: Program
    public let new: Program
    public let failOn: Set<ChangeCategory>
    private var diagnostics = DiagnosticBag()

    /// The category of each diff code.
    public static let categories: [DiagnosticCode: ChangeCategory] = [
        .keyPatternChanged: .keyspace, .keyEncodingChanged: .keyspace,
        .valueFormatChanged: .value,
        .consumedEventRemoved: .events, .payloadFieldChanged: .events,
        .invalidationRemoved: .freshness, .tagRemoved: .freshness, .dependencyRemoved: .freshness,
        .ttlRaised: .freshness, .stalenessWidened: .freshness,
        .apiRemoved: .source, .builderSignatureChanged: .source, .generatedRequirementAdded: .source,
    ]

    public static func compare(old: Program, new: Program, failOn: Set<ChangeCategory> = ChangeCategory.defaultFailing) -> [Diagnostic] {
        var diff = PolicyDiff(old: old, new: new, failOn: failOn)
        diff.run()
        return diff.diagnostics.sorted
    }

    private init(old: Program, new: Program, failOn: Set<ChangeCategory>) {
        self.old = old
        self.new = new
        self.failOn = failOn
    }

    private mutating func report(_ code: DiagnosticCode, at location: SourceLocation, _ message: String, hint: String? = nil, related: [RelatedLocation] = []) {
        let category = Self.categories[code]!
        diagnostics.report(Diagnostic(
            code, at: location, "[\(category.rawValue)] " + message, hint: hint, related: related,
            severity: failOn.contains(category) ? .error : .warning))
    }

    private mutating func run() {
        for before in old.services {
            guard let after = new.service(before.name) else {
                report(.apiRemoved, at: before.location, "the service '\(before.name)' is removed: its generated '\(SwiftEmitter.namespace(of: before.name))' goes away",
                       hint: "callers of the generated API must change in the same deploy")
                continue
            }
            compareFamilies(before, after)
            compareReactions(before, after)
            compareWarmups(before, after)
            compareStaleness(before, after)
        }
        compareEvents()
    }

    // MARK: Key families

    private mutating func compareFamilies(_ before: ServiceProgram, _ after: ServiceProgram) {
        for oldFamily in before.keys {
            guard let family = after.key(oldFamily.name) else {
                report(.apiRemoved, at: oldFamily.location,
                       "the key family '\(before.name).\(oldFamily.name)' is removed (or renamed): its builder '\(SwiftEmitter.namespace(of: before.name)).\(oldFamily.name)' goes away, and old instances keep writing entries nobody invalidates",
                       hint: "keep the family until no instance of the old version runs")
                continue
            }
            let what = "'\(after.name).\(family.name)'"
            let bumped = family.keyVersion != oldFamily.keyVersion
            let oldShape = Self.shape(oldFamily)
            let newShape = Self.shape(family)
            if !bumped, oldShape == newShape, oldFamily.slotSegment != family.slotSegment {
                report(.keyEncodingChanged, at: family.location,
                       "the hash tag of \(what) moves (slot: \(oldFamily.slot ?? "none") → \(family.slot ?? "none")), so the same values render a different key ('{…}' braces)",
                       hint: Self.bumpHint(family))
            }
            if !bumped, oldShape != newShape {
                let sameLiterals = oldShape.count == newShape.count && zip(oldShape, newShape).allSatisfy { $0.literal == $1.literal }
                if sameLiterals {
                    report(.keyEncodingChanged, at: family.location,
                           "the params of \(what) change type (\(oldFamily.pattern.text) → \(family.pattern.text) with \(Self.types(oldFamily)) → \(Self.types(family))), so the same value renders a different key",
                           hint: Self.bumpHint(family))
                } else {
                    report(.keyPatternChanged, at: family.location,
                           "the key pattern of \(what) changes from '\(oldFamily.pattern.text)' to '\(family.pattern.text)': old entries are orphaned, and old and new instances miss each other's writes and invalidations",
                           hint: Self.bumpHint(family) + ", or keep the pattern")
                }
            }
            var formats: [String] = []
            if oldFamily.codec != family.codec { formats.append("codec \(oldFamily.codec.rawValue) → \(family.codec.rawValue)") }
            if (oldFamily.compression == .none) != (family.compression == .none) {
                formats.append("compression \(Self.describe(oldFamily.compression)) → \(Self.describe(family.compression))")
            }
            if oldFamily.valueType != family.valueType { formats.append("value type \(oldFamily.valueType) → \(family.valueType)") }
            if !formats.isEmpty, !bumped {
                report(.valueFormatChanged, at: family.location,
                       "\(what) keeps its keys but changes its \(formats.joined(separator: ", ")): old instances cannot decode entries new ones write, and the other way round",
                       hint: Self.bumpHint(family))
            }
            let oldParams = (oldFamily.keyParams + oldFamily.tagOnlyParams).map { "\($0.name.value): \($0.type)" }
            let newParams = (family.keyParams + family.tagOnlyParams).map { "\($0.name.value): \($0.type)" }
            if oldParams != newParams {
                report(.builderSignatureChanged, at: family.location,
                       "the builder \(SwiftEmitter.namespace(of: after.name)).\(family.name)(\(oldParams.joined(separator: ", "))) becomes (\(newParams.joined(separator: ", ")))",
                       hint: "update its callers in the same change")
            }
            for tag in oldFamily.tags where !family.tags.contains(where: { $0.text == tag.text }) {
                report(.tagRemoved, at: family.location,
                       "\(what) no longer carries the tag '\(tag.text)': entries new instances write are not dropped when that tag is invalidated",
                       hint: "keep the tag while any invalidation uses it")
            }
            for entity in oldFamily.dependsOn where !family.dependsOn.contains(entity) {
                report(.dependencyRemoved, at: family.location,
                       "\(what) no longer depends on '\(entity)': the staleness check stops verifying that events mutating it invalidate the family")
            }
            if family.ttl.milliseconds > oldFamily.ttl.milliseconds {
                report(.ttlRaised, at: family.location,
                       "the TTL of \(what) rises from \(oldFamily.ttl) to \(family.ttl): an entry no event invalidates can be stale that much longer")
            }
        }
    }

    /// Each segment as what Redis sees: literal bytes, or the type of value that fills it.
    private struct Segment: Equatable {
        var literal: [UInt8]?
        var type: ParamType?
    }

    private static func shape(_ family: KeyFamilyProgram) -> [Segment] {
        let types = Dictionary((family.keyParams + family.tagOnlyParams).map { ($0.name.value, $0.type) }, uniquingKeysWith: { first, _ in first })
        return family.pattern.segments.map { segment in
            switch segment {
            case .literal(let text): Segment(literal: Array(text.utf8), type: nil)
            case .hole(let name): Segment(literal: nil, type: types[name])
            case .wildcard: Segment(literal: nil, type: nil)
            }
        }
    }

    private static func types(_ family: KeyFamilyProgram) -> String {
        family.keyParams.map { "\($0.name.value): \($0.type)" }.joined(separator: ", ")
    }

    private static func describe(_ compression: Compression) -> String {
        switch compression {
        case .none: "off"
        case .over(let size): "over \(size)"
        }
    }

    private static func bumpHint(_ family: KeyFamilyProgram) -> String {
        "bump its key version ('keyVersion: \(family.keyVersion + 1)') so old and new instances use different keys"
    }

    // MARK: Invalidations

    /// A reaction's action, identified by what it drops.
    private static func describe(_ action: ResolvedAction) -> String {
        switch action.target {
        case .key(let family): "the key family '\(family)'"
        case .tag(let tag): "the tag '\(tag.text)'"
        case .pattern(let glob): "the pattern '\(glob.text)'"
        }
    }

    private mutating func compareReactions(_ before: ServiceProgram, _ after: ServiceProgram) {
        for reaction in before.reactions {
            let now = after.reactions.first { $0.event == reaction.event }
            let remaining = Set(now?.actions.map(Self.describe) ?? [])
            for action in reaction.actions where !remaining.contains(Self.describe(action)) {
                report(.invalidationRemoved, at: now?.location ?? after.location,
                       "'\(after.name)' no longer drops \(Self.describe(action)) on '\(reaction.event)': entries it used to drop can be served stale until they expire",
                       hint: "if the invalidation moved to a tag or pattern, ignore this; otherwise keep it",
                       related: [RelatedLocation(action.location, "it was declared here")])
            }
        }
    }

    private mutating func compareStaleness(_ before: ServiceProgram, _ after: ServiceProgram) {
        for gap in after.staleness {
            let earlier = before.staleness.first { $0.entity == gap.entity }
            let newEvents = gap.events.filter { !(earlier?.events.contains($0) ?? false) }
            let newFamilies = gap.families.filter { !(earlier?.families.contains($0) ?? false) }
            let longer = (gap.bound?.milliseconds ?? 0) > (earlier?.bound?.milliseconds ?? 0)
            guard !newEvents.isEmpty || !newFamilies.isEmpty || longer else { continue }
            report(.stalenessWidened, at: after.location,
                   "\(after.name) can now serve stale \(gap.families.map { "'\($0)'" }.joined(separator: ", ")) for up to \(gap.bound.map { "\($0)" } ?? "their TTL") after \(gap.events.map { "'\($0)'" }.joined(separator: ", ")) (which mutate '\(gap.entity)')" + (earlier == nil ? "" : "; before: \(earlier!.families.joined(separator: ", ")) for up to \(earlier!.bound.map { "\($0)" } ?? "their TTL")"),
                   hint: "invalidate them on those events (see the CP500 warning)")
        }
    }

    // MARK: Warmup

    private mutating func compareWarmups(_ before: ServiceProgram, _ after: ServiceProgram) {
        let oldSources = Set(before.warmups.map(\.source))
        for job in after.warmups where !oldSources.contains(job.source) {
            report(.generatedRequirementAdded, at: job.location,
                   "'\(SwiftEmitter.namespace(of: after.name)).Loaders' gains the requirement '\(job.source)' (warmup job '\(job.name)'): every conforming type must implement it",
                   hint: "implement it in the same change")
        }
    }

    // MARK: Events

    private mutating func compareEvents() {
        for event in old.events {
            let outsiders = event.consumers.filter { $0 != event.producer }
            guard let now = new.event(event.name) else {
                if !outsiders.isEmpty {
                    report(.consumedEventRemoved, at: event.location,
                           "the event '\(event.name)' is removed, but \(outsiders.joined(separator: ", ")) consume\(outsiders.count == 1 ? "s" : "") it: their running instances wait for a message that no longer comes",
                           hint: "stop consuming it first, deploy, then remove it")
                }
                report(.apiRemoved, at: event.location, "the event '\(event.name)' is removed: its payload type '\(SwiftNames.typeName(event.name))' goes away")
                continue
            }
            let consumed = !Set(event.consumers + now.consumers).subtracting([event.producer]).isEmpty
            var addedFields: [String] = []
            for field in event.payload {
                guard let current = now.payload.first(where: { $0.name.value == field.name.value }) else {
                    if consumed {
                        report(.payloadFieldChanged, at: now.location,
                               "the payload field '\(field.name.value)' of '\(event.name)' is removed (or renamed): instances still on the old payload type cannot decode the new message, whether or not they use the field",
                               hint: "add new fields instead; remove one only after every consumer runs the new code")
                    }
                    continue
                }
                if current.type != field.type, consumed {
                    report(.payloadFieldChanged, at: current.name.location,
                           "the payload field '\(field.name.value)' of '\(event.name)' changes type from \(field.type) to \(current.type): instances on the old payload type cannot decode the new message",
                           hint: "add a field with the new type instead")
                }
            }
            for field in now.payload where !event.payload.contains(where: { $0.name.value == field.name.value }) {
                addedFields.append(field.name.value)
            }
            if !addedFields.isEmpty {
                report(.builderSignatureChanged, at: now.location,
                       "the payload type '\(SwiftNames.typeName(event.name))' gains \(addedFields.map { "'\($0)'" }.joined(separator: ", ")): safe on the wire, but code that creates the event must pass \(addedFields.count == 1 ? "it" : "them")")
            }
        }
    }
}
