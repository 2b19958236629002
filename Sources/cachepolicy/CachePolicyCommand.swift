import ArgumentParser
import Foundation

/// `cachepolicy`: lint and compile cache policies. Exit codes: 0 clean, 1 findings, 2 usage or I/O error.
@main
struct CachePolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cachepolicy",
        abstract: "Checks and compiles declared Redis cache policies.",
        version: "0.1.0",
        subcommands: [LintCommand.self, ExplainCommand.self])

    /// Exit code for usage and I/O errors (argument-parser's default would be 64).
    static let usageFailure: Int32 = 2

    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)
        } catch {
            if exitCode(for: error) == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            Console.error(fullMessage(for: error))
            Foundation.exit(usageFailure)
        }
    }
}

/// Writes to standard output and standard error.
enum Console {
    static func out(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }

    /// Colour only for a terminal, and never when NO_COLOR is set.
    static var stdoutIsColorTerminal: Bool {
        isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
            && ProcessInfo.processInfo.environment["TERM"] != "dumb"
    }
}

/// An I/O or usage problem: reported on stderr with exit code 2.
struct UsageError: Error, CustomStringConvertible {
    let description: String
}
