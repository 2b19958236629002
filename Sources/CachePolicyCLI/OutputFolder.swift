import Foundation
import PolicyCompiler

/// The signal that arrived while ``OutputFolder/withTerminationSignalsHeld(_:)`` held signals back;
/// written only by its signal handler and read after the handlers are restored.
nonisolated(unsafe) private var heldSignal: Int32 = 0

/// The folder `generate` writes into: what must change, and changing it all or nothing.
///
/// Every new or changed file is first staged as a temporary file beside its target; only when all
/// are staged are they renamed into place and stale files removed, with SIGINT, SIGTERM and SIGHUP
/// held back for those few renames. An interrupt therefore leaves either the old set of files or
/// the new one, never a mix. Temporary files an earlier run could not remove (it was killed with
/// SIGKILL, or the machine stopped) are removed by the next run.
struct OutputFolder {
    let path: String

    /// Temporary files are named `.<file>.<pid>.cachepolicy-tmp`.
    static let temporarySuffix = ".cachepolicy-tmp"

    /// The changes that would bring the folder in line with the generated files.
    struct Plan {
        var added: [GeneratedFile] = []
        var changed: [GeneratedFile] = []
        /// Generated files (they carry ``SwiftEmitter/marker``) that nothing generates any more.
        var stale: [String] = []
        /// Temporary files left by an interrupted run.
        var leftovers: [String] = []

        var isEmpty: Bool { added.isEmpty && changed.isEmpty && stale.isEmpty }

        var summary: String {
            added.map { "  missing: \($0.name)\n" }.joined() + changed.map { "  differs: \($0.name)\n" }.joined()
                + stale.map { "  stale:   \($0)\n" }.joined()
        }

        var counts: String {
            "\(added.count) added, \(changed.count) updated, \(stale.count) removed"
        }
    }

    func plan(_ files: [GeneratedFile], removeStale: Bool) throws -> Plan {
        var plan = Plan()
        let names = try existingNames()
        for file in files {
            let target = path + "/" + file.name
            guard names.contains(file.name) else {
                plan.added.append(file)
                continue
            }
            if try Self.contents(of: target) != Array(file.contents.utf8) { plan.changed.append(file) }
        }
        let current = Set(files.map(\.name))
        for name in names.sorted() {
            if name.hasPrefix("."), name.hasSuffix(Self.temporarySuffix) {
                plan.leftovers.append(name)
            } else if removeStale, name.hasSuffix(".swift"), !current.contains(name), Self.isGenerated(path + "/" + name) {
                plan.stale.append(name)
            }
        }
        return plan
    }

    /// Stages every new or changed file, then commits them all at once (see the type's comment).
    func apply(_ plan: Plan) throws {
        try Self.makeFolder(path)
        for leftover in plan.leftovers { unlink(path + "/" + leftover) }
        var staged: [(temporary: String, target: String)] = []
        do {
            for file in plan.added + plan.changed {
                let temporary = path + "/.\(file.name).\(getpid())\(Self.temporarySuffix)"
                staged.append((temporary, path + "/" + file.name))
                try Self.write(Array(file.contents.utf8), to: temporary)
            }
        } catch {
            for file in staged { unlink(file.temporary) }
            throw error
        }
        try Self.withTerminationSignalsHeld {
            for (index, file) in staged.enumerated() where rename(file.temporary, file.target) != 0 {
                let reason = PolicyFiles.reason(errno)
                for rest in staged[index...] { unlink(rest.temporary) }
                throw UsageError(description: "error: cannot write \(file.target): \(reason)")
            }
            for name in plan.stale where unlink(path + "/" + name) != 0 && errno != ENOENT {
                throw UsageError(description: "error: cannot remove the stale file \(path)/\(name): \(PolicyFiles.reason(errno))")
            }
        }
    }

    /// The names in the folder; none when it does not exist yet.
    private func existingNames() throws -> Set<String> {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { return [] }
            throw UsageError(description: "error: cannot use the output folder \(path): \(Self.reason(errno, at: path))")
        }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw UsageError(description: "error: the output folder \(path) is a file; name a folder with --output")
        }
        return Set(try PolicyFiles.names(in: path))
    }

    /// `mkdir -p`, with a message that names the part of the path that is in the way.
    static func makeFolder(_ path: String) throws {
        var built = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            built += "/" + component
            if mkdir(built, 0o755) == 0 { continue }
            let code = errno
            var info = stat()
            if code == EEXIST, stat(built, &info) == 0 {
                if info.st_mode & S_IFMT == S_IFDIR { continue }
                throw UsageError(description: "error: cannot create the output folder \(path): \(built.dropFirst(path.hasPrefix("/") ? 0 : 2)) is a file, not a folder")
            }
            throw UsageError(description: "error: cannot create the output folder \(path): \(reason(code, at: built))")
        }
    }

    private static func reason(_ code: Int32, at path: String) -> String {
        code == ENOTDIR ? "a part of \(path) is a file, not a folder" : PolicyFiles.reason(code)
    }

    private static func write(_ bytes: [UInt8], to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw UsageError(description: "error: cannot write \(path): \(PolicyFiles.reason(errno))") }
        defer { close(descriptor) }
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress! + written, bytes.count - written) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { throw UsageError(description: "error: cannot write \(path): \(PolicyFiles.reason(errno))") }
            written += count
        }
    }

    private static func contents(of path: String) throws -> [UInt8] {
        do {
            return try PolicyFiles.read([path], limit: Int.max)[0].bytes
        } catch let error as UsageError {
            throw UsageError(description: error.description + " (in the output folder)")
        }
    }

    /// Runs `body` with SIGINT, SIGTERM and SIGHUP held back: a handler (process-wide, unlike a
    /// signal mask, which covers one thread while the runtime has several) only records the signal,
    /// and once `body` is done the previous handlers are restored and the signal is raised again,
    /// so the process still ends the way it was asked to, just after the commit.
    static func withTerminationSignalsHeld<T>(_ body: () throws -> T) rethrows -> T {
        let signals = [SIGINT, SIGTERM, SIGHUP]
        heldSignal = 0
        var previous: [sigaction] = []
        for signal in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { heldSignal = $0 }
            sigemptyset(&action.sa_mask)
            var old = sigaction()
            sigaction(signal, &action, &old)
            previous.append(old)
        }
        defer {
            for (signal, old) in zip(signals, previous) {
                var old = old
                sigaction(signal, &old, nil)
            }
            if heldSignal != 0 { raise(heldSignal) }
        }
        return try body()
    }

    /// Whether a file starts with the generator's marker line.
    static func isGenerated(_ file: String) -> Bool {
        guard (try? PolicyFiles.status(of: file))?.kind == .regular, let handle = FileHandle(forReadingAtPath: file) else { return false }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: SwiftEmitter.marker.utf8.count)) ?? Data()
        return head == Data(SwiftEmitter.marker.utf8)
    }
}
