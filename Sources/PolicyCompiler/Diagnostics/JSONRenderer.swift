import Foundation

/// Renders diagnostics as one JSON document (format version 1, documented in docs/diagnostics.md).
public enum JSONRenderer {
    /// Bumped when a field changes meaning or disappears; new fields may be added without a bump.
    public static let formatVersion = 1

    struct Document: Encodable {
        let version: Int
        let diagnostics: [Item]
        let summary: Summary
    }

    struct Item: Encodable {
        let code: String
        let name: String
        let severity: String
        let file: String
        let line: Int
        let column: Int
        let message: String
        let hint: String?
        let related: [Related]
    }

    struct Related: Encodable {
        let file: String
        let line: Int
        let column: Int
        let message: String
    }

    struct Summary: Encodable {
        let files: Int
        let errors: Int
        let warnings: Int
    }

    public static func render(_ diagnostics: [Diagnostic], fileCount: Int) -> String {
        let document = Document(
            version: formatVersion,
            diagnostics: diagnostics.map { diagnostic in
                Item(
                    code: diagnostic.code.rawValue, name: diagnostic.code.name, severity: diagnostic.severity.rawValue,
                    file: diagnostic.location.file, line: diagnostic.location.line, column: diagnostic.location.column,
                    message: diagnostic.message, hint: diagnostic.hint,
                    related: diagnostic.related.map {
                        Related(file: $0.location.file, line: $0.location.line, column: $0.location.column, message: $0.message)
                    })
            },
            summary: Summary(
                files: fileCount, errors: diagnostics.count { $0.severity == .error },
                warnings: diagnostics.count { $0.severity == .warning }))
        return encode(document)
    }

    /// Pretty, key-sorted JSON with a trailing newline: byte-identical for equal input.
    static func encode<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding plain structs of strings and integers cannot fail.
        let data = try! encoder.encode(value)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
