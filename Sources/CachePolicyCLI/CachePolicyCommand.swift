import ArgumentParser
import Foundation

/// `cachepolicy`: lint and compile cache policies. Exit codes: 0 clean, 1 findings, 2 usage or I/O error.
public struct CachePolicyCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "cachepolicy",
        abstract: "Checks and compiles declared Redis cache policies.",
        version: "0.1.0",
        subcommands: [LintCommand.self, GenerateCommand.self, DiffCommand.self, GraphCommand.self, AlertsCommand.self, DashboardCommand.self, ACLCommand.self, ExplainCommand.self, SchemaCommand.self])

    public init() {}

    /// Exit code for usage and I/O errors (argument-parser's default would be 64).
    public static let usageFailure: Int32 = 2

    /// Parses `arguments` (without the program name), runs the command and returns its exit code.
    /// Output goes to `console`, so tests can run the CLI in-process.
    public static func run(_ arguments: [String], console: Console) -> Int32 {
        do {
            var command = try parseAsRoot(arguments)
            guard let runnable = command as? ConsoleCommand else {
                // argument-parser's own commands (`help`) print for themselves.
                try command.run()
                return 0
            }
            return try runnable.execute(console)
        } catch let error as UsageError {
            console.error(error.description)
            return usageFailure
        } catch {
            if exitCode(for: error) == .success {
                console.out(fullMessage(for: error) + "\n")
                return 0
            }
            console.error(fullMessage(for: error))
            return usageFailure
        }
    }
}

/// A subcommand that writes to a ``Console`` and returns its exit code.
protocol ConsoleCommand {
    func execute(_ console: Console) throws -> Int32
}

/// Where the CLI writes: the process's standard streams, or buffers in tests.
public struct Console: Sendable {
    public let out: @Sendable (String) -> Void
    public let error: @Sendable (String) -> Void
    /// Whether `out` is a colour terminal.
    public let colored: Bool

    public init(out: @escaping @Sendable (String) -> Void, error: @escaping @Sendable (String) -> Void, colored: Bool = false) {
        self.out = out
        self.error = error
        self.colored = colored
    }

    /// The process's stdout and stderr; colour only for a terminal, and never when NO_COLOR is set.
    public static var standard: Console {
        let environment = ProcessInfo.processInfo.environment
        return Console(
            out: { FileHandle.standardOutput.write(Data($0.utf8)) },
            error: { FileHandle.standardError.write(Data(($0.hasSuffix("\n") ? $0 : $0 + "\n").utf8)) },
            colored: isatty(STDOUT_FILENO) == 1 && environment["NO_COLOR"] == nil && environment["TERM"] != "dumb")
    }
}

/// An I/O or usage problem: reported on stderr with exit code 2.
struct UsageError: Error, CustomStringConvertible {
    let description: String
}
