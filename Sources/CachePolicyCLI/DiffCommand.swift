import ArgumentParser
import Foundation
import PolicyCompiler

/// `cachepolicy diff`: what a change to the policies breaks while old and new code run side by side.
struct DiffCommand: ParsableCommand, ConsoleCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Classify every change between two versions of the policies (KEYSPACE, VALUE, EVENTS, FRESHNESS, SOURCE).",
        discussion: """
            --against names the old version: a folder of policies, or a git revision (HEAD~1, main, a tag), \
            whose files under PATH are read with git. Changes in the --fail-on categories are errors \
            (exit 1); the others are warnings. 'cachepolicy explain --all' lists the CP8xx codes.
            """)

    @Option(help: "The old version: a folder, or a git revision such as HEAD~1.")
    var against: String

    @Option(help: "Categories that fail (comma-separated): KEYSPACE, VALUE, EVENTS, FRESHNESS, SOURCE, all or none.")
    var failOn = ChangeCategory.defaultFailing.sorted().map(\.rawValue).joined(separator: ",")

    @OptionGroup var input: PolicyInputOptions

    func validate() throws {
        _ = try categories()
    }

    func categories() throws -> Set<ChangeCategory> {
        var result = Set<ChangeCategory>()
        for word in failOn.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).uppercased() }) where !word.isEmpty {
            switch word {
            case "ALL": result.formUnion(ChangeCategory.allCases)
            case "NONE": break
            default:
                guard let category = ChangeCategory(rawValue: word) else {
                    throw ValidationError("unknown category '\(word)' in --fail-on; use \(ChangeCategory.allCases.map(\.rawValue).joined(separator: ", ")), all or none")
                }
                result.insert(category)
            }
        }
        return result
    }

    func execute(_ console: Console) throws -> Int32 {
        let newFiles = try input.readFiles(console)
        let oldFiles = try PolicySnapshot.read(against, paths: input.paths, limit: input.maxFileSize)
        let references = try input.readReferences(console)
        let compiler = input.compiler
        let newResult = compiler.compile(newFiles, references: references)
        let oldResult = compiler.compile(oldFiles, references: references)
        let sources = Dictionary((newFiles + oldFiles + references).map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        for (result, which) in [(oldResult, "old (\(against))"), (newResult, "new")] where result.program == nil {
            console.error(input.format.render(result.diagnostics.filter { $0.severity == .error }, sources: sources, fileCount: 0, colored: false))
            console.error("error: cannot compare: the \(which) policies have \(result.errorCount) error\(result.errorCount == 1 ? "" : "s")")
            return 1
        }
        let changes = PolicyDiff.compare(old: oldResult.program!, new: newResult.program!, failOn: try categories())
        let (shown, omitted) = input.shown(changes)
        console.out(input.format.render(shown, sources: sources, fileCount: newFiles.count, colored: input.format == .text && console.colored))
        if let omitted { console.error(omitted) }
        let failing = changes.filter { $0.severity == .error }
        if input.format == .text {
            var byCategory: [ChangeCategory: Int] = [:]
            for change in changes { byCategory[PolicyDiff.categories[change.code]!, default: 0] += 1 }
            let counts = byCategory.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key.rawValue)" }.joined(separator: ", ")
            console.out("\(changes.count) change\(changes.count == 1 ? "" : "s") against \(against)\(counts.isEmpty ? "" : " (\(counts))"): \(failing.count) failing\n")
        }
        return failing.isEmpty && !(input.strict && !changes.isEmpty) ? 0 : 1
    }
}
