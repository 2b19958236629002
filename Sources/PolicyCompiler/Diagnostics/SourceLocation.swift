import Foundation

/// A position in a policy file: 1-based line and column (columns count Unicode scalars).
///
/// Twelve bytes and no reference: the file is an index into ``SourceFiles`` (every node, name and
/// value of a policy carries a location, so a `String` here cost a retain and a release on every
/// copy, and 16 bytes more per location).
public struct SourceLocation: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The file's index in ``SourceFiles``.
    public let fileID: UInt32
    private var storedLine: UInt32
    private var storedColumn: UInt32

    public var file: String { SourceFiles.path(fileID) }
    public var line: Int { Int(storedLine) }
    public var column: Int { Int(storedColumn) }

    public init(file: String, line: Int, column: Int) {
        self.init(fileID: SourceFiles.id(file), line: line, column: column)
    }

    /// A location in a file already registered (``SourceFiles/id(_:)``): no lookup.
    public init(fileID: UInt32, line: Int, column: Int) {
        self.fileID = fileID
        storedLine = UInt32(clamping: line)
        storedColumn = UInt32(clamping: column)
    }

    /// The same file and line, `offset` columns further right.
    public func advanced(by offset: Int) -> SourceLocation {
        SourceLocation(fileID: fileID, line: line, column: column + offset)
    }

    public var description: String { "\(file):\(line):\(column)" }

    public static func < (a: SourceLocation, b: SourceLocation) -> Bool {
        if a.fileID != b.fileID { return SourceFiles.pathPrecedes(a.fileID, b.fileID) }
        return (a.storedLine, a.storedColumn) < (b.storedLine, b.storedColumn)
    }
}

/// The paths of every file a location points into, each registered once (so equal paths have
/// equal ids, and locations compare and hash by id). Paths are never removed: a process compiles
/// a bounded set of files.
public enum SourceFiles {
    private final class Table: @unchecked Sendable {
        let lock = NSLock()
        var ids: [String: UInt32] = [:]
        var paths: [String] = []
    }

    private static let table = Table()

    /// The id of `path`, registering it on first use.
    public static func id(_ path: String) -> UInt32 {
        table.lock.lock()
        defer { table.lock.unlock() }
        if let id = table.ids[path] { return id }
        let id = UInt32(table.paths.count)
        table.paths.append(path)
        table.ids[path] = id
        return id
    }

    /// Whether the path of `a` sorts before the path of `b` (both read under one lock).
    static func pathPrecedes(_ a: UInt32, _ b: UInt32) -> Bool {
        table.lock.lock()
        defer { table.lock.unlock() }
        return table.paths[Int(a)] < table.paths[Int(b)]
    }

    public static func path(_ id: UInt32) -> String {
        table.lock.lock()
        defer { table.lock.unlock() }
        return table.paths[Int(id)]
    }

    /// The paths of `ids`, read under one lock.
    static func paths(_ ids: [UInt32]) -> [String] {
        table.lock.lock()
        defer { table.lock.unlock() }
        return ids.map { table.paths[Int($0)] }
    }
}

extension SourceLocation {
    /// The indices of `locations` in the order `<` sorts them (ties keep their order). Each file's
    /// path is read and compared once, instead of under a lock on every comparison across files.
    static func order(of locations: [SourceLocation]) -> [Int] {
        let files = Array(Set(locations.map(\.fileID)))
        let paths = SourceFiles.paths(files)
        var rank: [UInt32: Int] = [:]
        for (position, index) in files.indices.sorted(by: { paths[$0] < paths[$1] }).enumerated() {
            rank[files[index]] = position
        }
        let keys = locations.map { (rank[$0.fileID]!, $0.storedLine, $0.storedColumn) }
        return locations.indices.sorted { keys[$0] < keys[$1] }
    }
}

/// A value together with the place in a policy file it was read from.
public struct Located<Value: Sendable>: Sendable {
    public var value: Value
    public var location: SourceLocation

    public init(_ value: Value, at location: SourceLocation) {
        self.value = value
        self.location = location
    }
}

extension Located: Equatable where Value: Equatable {}
extension Located: Hashable where Value: Hashable {}
