import Foundation
import PolicyCompiler

/// Finds and reads policy files from the paths given on the command line. Only regular files are
/// read (a FIFO or device named `*.yaml` would block forever); every path that cannot be read is an
/// I/O error naming the path and the reason, never a silent skip.
enum PolicyFiles {
    static let extensions: Set<String> = ["yaml", "yml"]

    /// What discovery found: the policy files, and notes on entries it deliberately left out.
    struct Discovery {
        var files: [String] = []
        /// `skipped x.yaml: not a regular file (a FIFO)`, one per entry, for stderr.
        var skipped: [String] = []
    }

    /// Files named directly, plus every `*.yaml` / `*.yml` under named folders (recursively), sorted.
    static func discover(_ paths: [String]) throws -> Discovery {
        var discovery = Discovery()
        for path in paths {
            let info = try status(of: path)
            switch info.kind {
            case .directory:
                let before = discovery.files.count
                try walk(path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path, into: &discovery)
                if discovery.files.count == before {
                    throw UsageError(description: "error: no policy files (*.yaml, *.yml) in \(path)")
                }
            case .regular:
                discovery.files.append(path)
            case .other(let what):
                throw UsageError(description: "error: cannot read \(path): it is \(what), not a regular file")
            }
        }
        var seen = Set<String>()
        discovery.files = discovery.files.sorted().filter { seen.insert($0).inserted }
        return discovery
    }

    /// The entry names of a folder (without `.` and `..`), or an error naming the folder and why.
    static func names(in folder: String) throws -> [String] {
        guard let directory = opendir(folder) else {
            throw UsageError(description: "error: cannot read the folder \(folder): \(reason(errno))")
        }
        defer { closedir(directory) }
        var names: [String] = []
        errno = 0
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != ".", name != ".." { names.append(name) }
        }
        if errno != 0 {
            throw UsageError(description: "error: cannot read the folder \(folder): \(reason(errno))")
        }
        return names
    }

    private static func walk(_ folder: String, into discovery: inout Discovery) throws {
        let names = try names(in: folder)
        for name in names.sorted() {
            let path = folder + "/" + name
            let isPolicy = extensions.contains((name as NSString).pathExtension)
            // Only policy files and folders matter; anything else in the tree is not looked at.
            let info: Status
            do {
                info = try status(of: path)
            } catch {
                if isPolicy { throw error }
                continue
            }
            switch info.kind {
            case .directory: try walk(path, into: &discovery)
            case .regular where isPolicy: discovery.files.append(path)
            case .other(let what) where isPolicy: discovery.skipped.append("skipped \(path): it is \(what), not a regular file")
            default: break
            }
        }
    }

    struct Status {
        enum Kind: Equatable {
            case regular, directory
            case other(String)
        }
        var kind: Kind
        var size: Int
    }

    /// What a path is, following symbolic links, with an error a user can act on.
    static func status(of path: String) throws -> Status {
        var info = stat()
        guard stat(path, &info) == 0 else {
            let code = errno
            var link = stat()
            if code == ENOENT, lstat(path, &link) == 0, link.st_mode & S_IFMT == S_IFLNK {
                let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?"
                throw UsageError(description: "error: cannot read \(path): it is a symbolic link to '\(target)', which does not exist")
            }
            if code == ELOOP {
                throw UsageError(description: "error: cannot read \(path): too many levels of symbolic links (a link that points back to itself?)")
            }
            if code == ENOENT {
                throw UsageError(description: "error: no such file or folder: \(path)")
            }
            throw UsageError(description: "error: cannot read \(path): \(reason(code))")
        }
        return Status(kind: kind(info.st_mode), size: Int(info.st_size))
    }

    private static func kind(_ mode: mode_t) -> Status.Kind {
        switch mode & S_IFMT {
        case S_IFREG: .regular
        case S_IFDIR: .directory
        case S_IFIFO: .other("a FIFO (named pipe)")
        case S_IFSOCK: .other("a socket")
        case S_IFCHR: .other("a character device")
        case S_IFBLK: .other("a block device")
        default: .other("not a file")
        }
    }

    /// `strerror` in lower case, the way the rest of our messages read.
    static func reason(_ code: Int32) -> String {
        let text = String(cString: strerror(code))
        return text.prefix(1).lowercased() + text.dropFirst()
    }

    /// Reads each file, at most `limit + 1` bytes of it, so the compiler can report oversized files
    /// without the CLI loading them whole. Opened non-blocking and checked to be a regular file
    /// after opening, so a FIFO swapped in after discovery cannot block the read either.
    static func read(_ paths: [String], limit: Int) throws -> [SourceFile] {
        try paths.map { path in
            let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
            guard descriptor >= 0 else {
                throw UsageError(description: "error: cannot read \(path): \(reason(errno))")
            }
            defer { close(descriptor) }
            var info = stat()
            guard fstat(descriptor, &info) == 0 else {
                throw UsageError(description: "error: cannot read \(path): \(reason(errno))")
            }
            guard case .regular = kind(info.st_mode) else {
                throw UsageError(description: "error: cannot read \(path): it is \(kind(info.st_mode)), not a regular file")
            }
            // One byte past the limit tells the compiler the file is too large; never overflows.
            let wanted = min(Int(info.st_size), limit == Int.max ? limit : limit + 1)
            var bytes = [UInt8](repeating: 0, count: wanted)
            var filled = 0
            while filled < wanted {
                let count = bytes.withUnsafeMutableBytes { raw in
                    Foundation.read(descriptor, raw.baseAddress! + filled, wanted - filled)
                }
                if count < 0, errno == EINTR { continue }
                guard count >= 0 else {
                    throw UsageError(description: "error: cannot read \(path): \(reason(errno))")
                }
                if count == 0 { break }
                filled += count
            }
            bytes.removeSubrange(filled...)
            return SourceFile(path: path, bytes: bytes)
        }
    }
}

extension PolicyFiles.Status.Kind: CustomStringConvertible {
    var description: String {
        switch self {
        case .regular: "a regular file"
        case .directory: "a folder"
        case .other(let what): what
        }
    }
}
