/// Turning policy names into Swift identifiers and literals that a reviewer would write by hand.
public enum SwiftNames {
    /// Words that must be escaped with backticks to be used as identifiers.
    static let keywords: Set<String> = [
        "associatedtype", "borrowing", "class", "consuming", "deinit", "enum", "extension", "fileprivate", "func",
        "import", "init", "inout", "internal", "let", "nonisolated", "open", "operator", "private", "precedencegroup",
        "protocol", "public", "rethrows", "static", "struct", "subscript", "typealias", "var", "break", "case",
        "catch", "continue", "default", "defer", "do", "else", "fallthrough", "for", "guard", "if", "in", "repeat",
        "return", "throw", "switch", "where", "while", "Any", "as", "await", "false", "is", "nil", "self", "Self",
        "super", "throws", "true", "try", "_", "async", "each", "some", "any", "package", "sending",
    ]

    /// `name`, or `` `name` `` when it is a keyword.
    public static func identifier(_ name: String) -> String {
        keywords.contains(name) ? "`\(name)`" : name
    }

    /// `payment` → `Payment`, `user.preferences-updated` → `UserPreferencesUpdated`, `utilityType` → `UtilityType`.
    public static func typeName(_ name: String) -> String {
        let words = name.split { $0 == "-" || $0 == "." || $0 == "_" }
        let joined = words.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        return joined.first?.isNumber == true ? "_" + joined : joined
    }

    /// `recent-payments` → `recentPayments`, `credit-card` → `creditCard`, `2fa` → `_2fa`, escaped if a keyword.
    public static func memberName(_ name: String) -> String {
        let type = typeName(name)
        guard let first = type.first else { return "_" }
        let member = first == "_" ? type : first.lowercased() + type.dropFirst()
        return identifier(member)
    }

    /// A Swift string literal with quotes, backslashes, control characters and line breaks escaped.
    public static func stringLiteral(_ text: String) -> String {
        "\"" + escapeForLiteral(text) + "\""
    }

    /// `text` escaped to sit inside a `"…"` literal (also inside one with interpolations).
    public static func escapeForLiteral(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value)
                || scalar.value == 0x2028 || scalar.value == 0x2029 || scalar.properties.generalCategory == .format:
                out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Free text made safe for a `///` doc comment line: no line breaks or control characters.
    public static func docText(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { scalar in
            scalar.value < 0x20 || scalar.value == 0x7F || scalar.value == 0x2028 || scalar.value == 0x2029 ? " " : scalar
        }))
    }
}
