import ArgumentParser
import PolicyCompiler

/// `cachepolicy alerts`: Prometheus alerting rules from the policies' thresholds.
struct AlertsCommand: ParsableCommand, ConsoleCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract: "Write Prometheus alerting rules from the policies' alert thresholds.",
        discussion: """
            One rule group per service: hit rate, memory against the budget, p99 latency and error rate \
            with each policy's thresholds and `for:` durations, plus the critical Redis-unreachable rule, \
            over the runtime's metrics (docs/metrics.md). The in-process alert evaluation uses the same \
            thresholds, so both agree. Policies with errors are reported instead.
            """)

    @OptionGroup var sources: PolicySourceOptions
    @OptionGroup var window: RateWindowOption

    func execute(_ console: Console) throws -> Int32 {
        guard let program = try compileForOutput(sources, console, doing: "write the rules") else { return 1 }
        console.out(AlertRulesEmitter.emit(program, window: window.window))
        return 0
    }

    /// `30s`, `1m`, `1h30m`: digits and units, nothing else.
    static func isPrometheusDuration(_ text: String) -> Bool {
        let units = ["ms", "s", "m", "h", "d", "w", "y"]
        var rest = Substring(text)
        guard !rest.isEmpty else { return false }
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty else { return false }
            rest = rest.dropFirst(digits.count)
            guard let unit = units.sorted(by: { $0.count > $1.count }).first(where: { rest.hasPrefix($0) }) else { return false }
            rest = rest.dropFirst(unit.count)
        }
        return true
    }
}

/// `--window`: the rate window of the PromQL `alerts` and `dashboard` write.
struct RateWindowOption: ParsableArguments {
    @Option(help: "The rate window of the queries (a Prometheus duration).")
    var window = "1m"

    func validate() throws {
        guard AlertsCommand.isPrometheusDuration(window) else {
            throw ValidationError("--window \(window) is not a Prometheus duration (e.g. 30s, 1m, 5m)")
        }
    }
}

/// `cachepolicy dashboard`: a Grafana dashboard for the platform.
struct DashboardCommand: ParsableCommand, ConsoleCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "Write a Grafana dashboard (JSON) for the policies' services.",
        discussion: """
            A row per service with hit rate, latency, errors, memory against the budget, evictions and \
            warmup, the policy's thresholds drawn as threshold lines; the queries are those of \
            `cachepolicy alerts`. Import it in Grafana with a Prometheus data source.
            """)

    @OptionGroup var sources: PolicySourceOptions
    @OptionGroup var window: RateWindowOption

    @Option(help: "The dashboard's title.")
    var title = "Cache policies"

    func execute(_ console: Console) throws -> Int32 {
        guard let program = try compileForOutput(sources, console, doing: "draw the dashboard") else { return 1 }
        console.out(DashboardEmitter.emit(program, title: title, window: window.window))
        return 0
    }
}

/// Compiles the sources; on errors, renders them and returns `nil`.
public func compileForOutput(_ sources: PolicySourceOptions, _ console: Console, doing what: String) throws -> Program? {
    let files = try sources.readFiles(console)
    let referenced = try sources.readReferences(console)
    let result = Compiler(limits: sources.limits).compile(files, references: referenced)
    guard let program = result.program else {
        let texts = Dictionary((files + referenced).map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        console.error(TextRenderer(sources: texts).render(result.diagnostics.filter { $0.severity == .error }))
        console.error("error: cannot \(what): \(result.errorCount) error\(result.errorCount == 1 ? "" : "s") in the policies")
        return nil
    }
    return program
}
