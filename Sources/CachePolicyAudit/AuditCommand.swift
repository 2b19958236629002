import ArgumentParser
import CacheAudit
import CachePolicyCLI
import Foundation
import PolicyCompiler
import RESP

/// `cachepolicy-audit`: a live Redis's keyspace against the policies. A separate executable, so the
/// compiler the build plugin runs (`cachepolicy`) never links networking.
public struct AuditCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "cachepolicy-audit",
        abstract: "Audit a live Redis's keyspace against the cache policies (read-only).",
        discussion: """
            Scans with SCAN (never KEYS), paced by --rate, and reports per service and key family: key \
            counts, memory (sampled MEMORY USAGE, extrapolated with its 95% margin), TTLs, keys without \
            a TTL, tag and index sets, leases left behind, keys no family declares (orphans) and the \
            largest keys. Only read-only commands are sent. Key names can hold personal data: they are \
            shown only with --show-keys. A run stopped by --max-keys prints the cursor to resume from. \
            Exit status: 0, or 1 with --strict when there are orphans or keys without a TTL, 2 on usage \
            or connection errors.
            """,
        version: "0.1.0")

    @OptionGroup var sources: PolicySourceOptions

    @Option(help: "The Redis to audit (redis://[user:password@]host[:port][/db]).")
    var redis: String

    @Option(help: "Keys per second at most (0: no limit).")
    var rate = 1_000

    @Option(help: "Keys per SCAN page (its COUNT hint).")
    var pageSize = 500

    @Option(help: "Share of keys measured with MEMORY USAGE, 0–1.")
    var sample = 0.1

    @Option(help: "Resume from this SCAN cursor (a previous run prints it).")
    var cursor = "0"

    @Option(help: "Stop after about this many keys.")
    var maxKeys: Int?

    @Option(help: "How many of the largest keys to list.")
    var top = 10

    @Flag(help: "Show key names (orphan prefixes, largest keys).")
    var showKeys = false

    @Option(help: "text or json.")
    var format: Format = .text

    @Flag(help: "Exit 1 when there are orphans or keys without a TTL.")
    var strict = false

    enum Format: String, ExpressibleByArgument {
        case text, json
    }

    public init() {}

    public func validate() throws {
        guard (0...1).contains(sample) else { throw ValidationError("--sample must be between 0 and 1") }
        guard rate >= 0, pageSize > 0, top >= 0 else { throw ValidationError("--rate, --page-size and --top must not be negative") }
        guard cursor.allSatisfy(\.isNumber) else { throw ValidationError("--cursor must be a SCAN cursor (digits)") }
        if let maxKeys, maxKeys <= 0 { throw ValidationError("--max-keys must be positive") }
    }

    /// Parses `arguments`, audits and returns the exit code; output goes to `console`.
    public static func run(_ arguments: [String], console: Console) async -> Int32 {
        do {
            let command = try parse(arguments)
            return try await command.execute(console)
        } catch {
            if exitCode(for: error) == .success {
                console.out(fullMessage(for: error) + "\n")
                return 0
            }
            console.error(fullMessage(for: error))
            return 2
        }
    }

    func execute(_ console: Console) async throws -> Int32 {
        guard let program = try compileForOutput(sources, console, doing: "audit") else { return 2 }
        let configuration: RedisConfiguration
        do {
            configuration = try RedisConfiguration(url: redis)
        } catch {
            console.error("error: --redis: \(error)")
            return 2
        }
        let families = program.services.flatMap { service in
            service.keys.map { AuditFamily(service: service.name, name: $0.name, pattern: $0.pattern.text, ttlMilliseconds: $0.ttl.milliseconds) }
        }
        let audit = KeyspaceAudit(families: families, settings: .init(
            rate: rate == 0 ? nil : rate, pageSize: pageSize, sampleRate: sample, cursor: cursor, maxKeys: maxKeys, showKeys: showKeys, top: top))
        let client = RedisClient(configuration, reconnectPolicy: ReconnectPolicy(initialDelay: .milliseconds(100), maxDelay: .seconds(1)))
        let bar = ProgressBar(enabled: format == .text && isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb")
        let report: AuditReport
        do {
            report = try await audit.run(on: client) { scanned, total in bar.update(scanned, total) }
            bar.finish()
        } catch {
            bar.finish()
            await client.shutdown()
            // The address only: a URL's password is never printed.
            console.error("error: cannot audit \(configuration.host):\(configuration.port): \(error)")
            return 2
        }
        await client.shutdown()
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            console.out(String(decoding: try encoder.encode(report), as: UTF8.self) + "\n")
        case .text:
            console.out(AuditText.render(report, address: "\(configuration.host):\(configuration.port)"))
        }
        let withoutTTL = report.orphans.withoutTTL + report.services.reduce(0) { $0 + $1.families.reduce(0) { $0 + $1.withoutTTL } }
        return strict && (report.orphans.keys > 0 || withoutTTL > 0) ? 1 : 0
    }
}

/// A one-line progress bar on stderr, redrawn in place (a terminal only).
struct ProgressBar: Sendable {
    let enabled: Bool

    func update(_ scanned: Int, _ total: Int) {
        guard enabled else { return }
        let share = total > 0 ? min(1, Double(scanned) / Double(total)) : 0
        let width = 30
        let filled = Int(share * Double(width))
        let line = "\r[" + String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled) + "] \(scanned) of about \(total) keys"
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() {
        if enabled { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
    }
}
