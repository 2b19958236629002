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

    /// Whether `name` is one of ``keywords``. Every keyword but `Any` and `Self` starts with a
    /// lower-case letter or `_`, so a capitalised name (every type name) needs no set lookup.
    static func isKeyword(_ name: String) -> Bool {
        guard let first = name.utf8.first else { return false }
        if first >= UInt8(ascii: "A"), first <= UInt8(ascii: "Z") { return name == "Any" || name == "Self" }
        return keywords.contains(name)
    }

    /// `name`, or `` `name` `` when it is a keyword.
    public static func identifier(_ name: String) -> String {
        isKeyword(name) ? "`\(name)`" : name
    }

    /// Keywords that cannot be argument labels without backticks.
    static let labelKeywords: Set<String> = ["inout", "var", "let"]

    /// A function parameter for `name`: the label callers write and the local name the body uses.
    /// A keyword local would shadow or confuse (`self`), so it gets a trailing underscore.
    public static func parameter(_ name: String) -> (label: String, local: String) {
        (argumentLabel(name), keywords.contains(name) ? name + "_" : name)
    }

    /// `label local: Type`, or `name: Type` when the two agree.
    public static func parameterDeclaration(_ name: String, type: String) -> String {
        let (label, local) = parameter(name)
        return label == local ? "\(label): \(type)" : "\(label) \(local): \(type)"
    }

    /// The label as written at a call site: keywords need no backticks there, except three.
    public static func argumentLabel(_ name: String) -> String {
        labelKeywords.contains(name) ? "`\(name)`" : name
    }

    /// `payment` → `Payment`, `user.preferences-updated` → `UserPreferencesUpdated`, `utilityType` → `UtilityType`.
    public static func typeName(_ name: String) -> String { GeneratedNames.typeName(name) }

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

    /// Free text made safe for a `///` doc comment line: control characters become spaces, and
    /// invisible formatting characters (bidirectional overrides, zero-width marks) are shown as
    /// their code point (`U+202E`), so a comment can never reorder or hide what a reviewer reads.
    public static func docText(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value) {
                out += " "
            } else if scalar.properties.generalCategory == .format || scalar.value == 0x2028 || scalar.value == 0x2029 {
                out += "U+\(String(scalar.value, radix: 16, uppercase: true))"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
