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
            (upper case, dashes as underscores); a user without one cannot log in until it is set. \
            With --environment, the users are named as that environment of policies/platform.yaml \
            says (`credentials.user`, e.g. `cachepolicy-{service}`).
            """)

    @OptionGroup var sources: PolicySourceOptions

    @Option(help: "Prefix of the users' names (the service's name follows).")
    var userPrefix: String?

    @Option(help: "Name the users as this environment of the platform file (platform.yaml) does.")
    var environment: String?

    @Option(help: "Prefix of the environment variables that hold the password hashes.")
    var passwordHashEnvPrefix = "CACHEPOLICY_ACL_SHA256_"

    func execute(_ console: Console) throws -> Int32 {
        if userPrefix != nil, environment != nil { throw ValidationError("give --user-prefix or --environment, not both") }
        guard let program = try compileForOutput(sources, console, doing: "write the ACL file") else { return 1 }
        let user = try userNames(program)
        for service in program.services where user(service.name).contains(where: { $0 == " " || $0 == "\n" || $0 == "\t" }) {
            throw UsageError(description: "error: the ACL user of '\(service.name)' would be '\(user(service.name))'; user names have no spaces")
        }
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
        console.out(ACLEmitter.emit(program, user: user, password: { hashes[$0] }))
        return 0
    }

    /// Each service's user name: from the environment's `credentials.user`, or the prefix.
    private func userNames(_ program: Program) throws -> (String) -> String {
        guard let environment else {
            let prefix = userPrefix ?? "cachepolicy-"
            return { prefix + $0 }
        }
        guard let platform = program.platform else {
            throw UsageError(description: "error: --environment \(environment): the policies have no platform file (platform.yaml) declaring environments")
        }
        guard let declared = platform.environments.first(where: { $0.name.value == environment }) else {
            let known = platform.environments.map(\.name.value).joined(separator: ", ")
            throw UsageError(description: "error: --environment \(environment): \(platform.file) declares no such environment (known: \(known))")
        }
        guard let credentials = declared.credentials else {
            throw UsageError(description: "error: the environment '\(environment)' declares no credentials, so its services connect as the default user; add 'credentials:' to it in \(platform.file)")
        }
        return { credentials.user(for: $0) }
    }
}
