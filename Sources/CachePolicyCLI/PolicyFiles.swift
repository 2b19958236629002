import Foundation
import PolicyCompiler

/// Finds and reads policy files from the paths given on the command line.
enum PolicyFiles {
    static let extensions: Set<String> = ["yaml", "yml"]

    /// Files named directly, plus every `*.yaml` / `*.yml` under named folders, sorted by path.
    static func discover(_ paths: [String]) throws -> [String] {
        var found: [String] = []
        let manager = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw UsageError(description: "error: no such file or folder: \(path)")
            }
            if !isDirectory.boolValue {
                found.append(path)
                continue
            }
            guard let enumerator = manager.enumerator(atPath: path) else {
                throw UsageError(description: "error: cannot read the folder \(path)")
            }
            let base = path.hasSuffix("/") ? String(path.dropLast()) : path
            var inFolder: [String] = []
            while let relative = enumerator.nextObject() as? String {
                if extensions.contains((relative as NSString).pathExtension) {
                    inFolder.append(base + "/" + relative)
                }
            }
            if inFolder.isEmpty {
                throw UsageError(description: "error: no policy files (*.yaml, *.yml) in \(path)")
            }
            found.append(contentsOf: inFolder)
        }
        var seen = Set<String>()
        return found.sorted().filter { seen.insert($0).inserted }
    }

    /// Reads each file, at most `limit + 1` bytes of it, so the compiler can report oversized files
    /// without the CLI loading them whole.
    static func read(_ paths: [String], limit: Int) throws -> [SourceFile] {
        try paths.map { path in
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw UsageError(description: "error: cannot read \(path)")
            }
            defer { try? handle.close() }
            do {
                let data = try handle.read(upToCount: limit + 1) ?? Data()
                return SourceFile(path: path, bytes: [UInt8](data))
            } catch {
                throw UsageError(description: "error: cannot read \(path): \(error.localizedDescription)")
            }
        }
    }
}
