import ArgumentParser
import Foundation
import PolicyCompiler

/// `cachepolicy acl`: a Redis ACL file with one least-privilege user per service.
struct ACLCommand: ParsableCommand, ConsoleCommand {
    static let configuration = CommandConfiguration(
        commandName: "acl",
        abstract: "Write a Redis ACL file: one user per service, limited to its own keys, events and the runtime's commands.",
        discussion: """
            Each service's user may touch its key families' keys, its own tag, index, lease, lifetime and \
            warmup-lock keys, the streams and channels of the events it produces or consumes, and only \
            the commands the runtime sends: no FLUSHALL, KEYS, CONFIG, nor another service's keys or \
            streams. Passwords never go in: give each user's SHA-256 (64 hex digits, e.g. \
            `printf %s "$PASSWORD" | sha256sum`) in the environment variable <prefix><SERVICE> \
            (upper case, dashes as underscores); a user without one cannot log in until it is set.
            """)

    @OptionGroup var sources: PolicySourceOptions

    @Option(help: "Prefix of the users' names (the service's name follows).")
    var userPrefix = "cachepolicy-"

    @Option(help: "Prefix of the environment variables that hold the password hashes.")
    var passwordHashEnvPrefix = "CACHEPOLICY_ACL_SHA256_"

    func execute(_ console: Console) throws -> Int32 {
        guard !userPrefix.contains(where: { $0 == " " || $0 == "\n" }) else { throw ValidationError("--user-prefix must not contain spaces") }
        guard let program = try compileForOutput(sources, console, doing: "write the ACL file") else { return 1 }
        let environment = ProcessInfo.processInfo.environment
        var hashes: [String: String] = [:]
        for service in program.services {
            let variable = passwordHashEnvPrefix + service.name.uppercased().replacingOccurrences(of: "-", with: "_")
            guard let value = environment[variable] else { continue }
            let hash = value.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
            guard hash.count == 64, hash.allSatisfy(\.isHexDigit) else {
                throw UsageError(description: "error: \(variable) is not a SHA-256 hash (64 hex digits); its value is not shown")
            }
            hashes[service.name] = hash
        }
        let missing = program.services.map(\.name).filter { hashes[$0] == nil }.sorted()
        if !missing.isEmpty {
            console.error("note: no password hash for \(missing.joined(separator: ", ")) (\(passwordHashEnvPrefix)<SERVICE>): those users cannot log in until one is set")
        }
        console.out(ACLEmitter.emit(program, user: { userPrefix + $0 }, password: { hashes[$0] }))
        return 0
    }
}
