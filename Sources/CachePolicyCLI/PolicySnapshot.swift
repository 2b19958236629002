import Foundation
import PolicyCompiler

/// The policies of an earlier version, for `cachepolicy diff --against`: from a folder, or from a
/// git revision (read with `git ls-tree` and `git show`, nothing checked out).
enum PolicySnapshot {
    /// Reads the old policies. A folder is read like `lint` reads one; anything else is a git
    /// revision, and `paths` (files or folders, relative to the current folder) say which files.
    static func read(_ against: String, paths: [String], limit: Int) throws -> [SourceFile] {
        var isFolder = false
        if let status = try? PolicyFiles.status(of: against), status.kind == .directory { isFolder = true }
        if isFolder {
            return try PolicyFiles.read(PolicyFiles.discover([against]).files, limit: limit)
        }
        var files: [String] = []
        for path in paths {
            // git runs in the path's folder, so relative and absolute paths both work and names
            // come back relative to it.
            let status = try? PolicyFiles.status(of: path)
            let folder = status?.kind == .directory ? path : (path as NSString).deletingLastPathComponent
            let spec = status?.kind == .directory ? "." : (path as NSString).lastPathComponent
            let base = folder.isEmpty ? "." : folder
            _ = try git(base, ["rev-parse", "--verify", "--quiet", against + "^{commit}"], what: "'\(against)' is neither a folder nor a git revision")
            let listed = try git(base, ["ls-tree", "-r", "--name-only", against, "--", spec], what: "cannot list \(path) at \(against)")
            for name in listed.split(separator: "\n").map(String.init) where PolicyFiles.extensions.contains((name as NSString).pathExtension) {
                files.append(base == "." ? name : base + "/" + name)
            }
        }
        guard !files.isEmpty else {
            throw UsageError(description: "error: no policy files (*.yaml, *.yml) under \(paths.joined(separator: ", ")) at \(against)")
        }
        return try Array(Set(files)).sorted().map { file in
            let folder = (file as NSString).deletingLastPathComponent
            let text = try git(folder.isEmpty ? "." : folder, ["show", "\(against):./\((file as NSString).lastPathComponent)"], what: "cannot read \(file) at \(against)")
            let bytes = Array(text.utf8)
            return SourceFile(path: "\(against):\(file)", bytes: Array(bytes.prefix(limit == Int.max ? limit : limit + 1)))
        }
    }

    /// Runs git and returns its output, or a usage error with `what` and git's own message.
    private static func git(_ folder: String, _ arguments: [String], what: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", folder] + arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        do {
            try process.run()
        } catch {
            throw UsageError(description: "error: \(what): git cannot be run")
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let detail = message.split(separator: "\n").first.map { ": \($0)" } ?? ""
            throw UsageError(description: "error: \(what)\(detail)")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
