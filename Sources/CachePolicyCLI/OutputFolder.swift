import Foundation
import PolicyCompiler

/// The folder `generate` writes into: what must change, and changing it file by file atomically.
struct OutputFolder {
    let path: String

    /// The changes that would bring the folder in line with the generated files.
    struct Plan {
        var added: [GeneratedFile] = []
        var changed: [GeneratedFile] = []
        /// Generated files (they carry ``SwiftEmitter/marker``) that nothing generates any more.
        var stale: [String] = []

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
        let manager = FileManager.default
        for file in files {
            let target = path + "/" + file.name
            guard let existing = manager.contents(atPath: target) else {
                plan.added.append(file)
                continue
            }
            if existing != Data(file.contents.utf8) { plan.changed.append(file) }
        }
        if removeStale, let names = try? manager.contentsOfDirectory(atPath: path) {
            let current = Set(files.map(\.name))
            for name in names.sorted() where name.hasSuffix(".swift") && !current.contains(name) {
                if Self.isGenerated(path + "/" + name) { plan.stale.append(name) }
            }
        }
        return plan
    }

    /// Writes each new or changed file to a temporary file beside it and renames it into place, so
    /// a reader never sees half a file; then removes stale generated files.
    func apply(_ plan: Plan) throws {
        let manager = FileManager.default
        do {
            try manager.createDirectory(atPath: path, withIntermediateDirectories: true)
            for file in plan.added + plan.changed {
                let target = URL(fileURLWithPath: path + "/" + file.name)
                let temporary = URL(fileURLWithPath: path + "/.\(file.name).\(ProcessInfo.processInfo.processIdentifier).tmp")
                try Data(file.contents.utf8).write(to: temporary)
                // rename(2) replaces the target atomically.
                guard rename(temporary.path, target.path) == 0 else {
                    let reason = String(cString: strerror(errno))
                    try? manager.removeItem(at: temporary)
                    throw UsageError(description: "error: cannot write \(target.path): \(reason)")
                }
            }
            for name in plan.stale { try manager.removeItem(atPath: path + "/" + name) }
        } catch let error as UsageError {
            throw error
        } catch {
            throw UsageError(description: "error: cannot write to \(path): \(error.localizedDescription)")
        }
    }

    /// Whether a file starts with the generator's marker line.
    static func isGenerated(_ file: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: file) else { return false }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: SwiftEmitter.marker.utf8.count)) ?? Data()
        return head == Data(SwiftEmitter.marker.utf8)
    }
}
