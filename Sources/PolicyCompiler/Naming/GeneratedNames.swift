/// The naming rules of generated files that the build plugin needs as well. This one file is
/// compiled into both `PolicyCompiler` and `CachePolicyBuildPlugin` (through a symbolic link in the
/// plugin's folder): a plugin cannot link the compiler, so the rule is shared by construction
/// instead of copied. It must stay free of imports and of anything else in either module.
enum GeneratedNames {
    /// The file with every event's payload type and the consumer table.
    static let eventsFileName = "CacheEvents.swift"
    /// The platform file (environments) and the file generated from it.
    static let platformFileNames = ["platform.yaml", "platform.yml"]
    static let environmentsFileName = "CacheEnvironments.swift"
    /// The generation config the plugin reads beside a target's `policies` folder.
    static let configFileName = "cachepolicy.yaml"

    /// `payment` → `Payment`, `user.preferences-updated` → `UserPreferencesUpdated`, `utilityType` → `UtilityType`.
    static func typeName(_ name: String) -> String {
        // ASCII names (all valid policy names) in one pass over the bytes; the same result as below.
        if name.utf8.allSatisfy({ $0 < 0x80 }) {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(name.utf8.count + 1)
            var wordStart = true
            for byte in name.utf8 {
                if byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") {
                    wordStart = true
                } else {
                    bytes.append(wordStart && byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") ? byte - 32 : byte)
                    wordStart = false
                }
            }
            if let first = bytes.first, first >= UInt8(ascii: "0"), first <= UInt8(ascii: "9") { bytes.insert(UInt8(ascii: "_"), at: 0) }
            return String(decoding: bytes, as: UTF8.self)
        }
        let words = name.split { $0 == "-" || $0 == "." || $0 == "_" }
        let joined = words.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        return joined.first?.isNumber == true ? "_" + joined : joined
    }

    /// The service a policy file is named after: `policies/billing-v2.yaml` → `billing-v2`.
    static func serviceName(fromPolicyFile path: String) -> String {
        let base = baseName(path)
        return base.split(separator: ".").first.map(String.init) ?? String(base)
    }

    /// The last component of a `/`-separated path (the path itself when it has no `/` or ends in one).
    private static func baseName(_ path: String) -> Substring {
        // Searched as bytes: `/` is ASCII, so its index is also a character boundary.
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return path[...] }
        let base = path[path.utf8.index(after: slash)...]
        return base.isEmpty ? (path.split(separator: "/").last ?? path[...]) : base
    }

    /// The namespace of a service: `payment` → `PaymentCache`.
    static func namespace(of service: String) -> String { typeName(service) + "Cache" }

    /// `policies/billing-v2.yaml` → `BillingV2Cache.swift`: outputs are predictable from inputs alone.
    static func fileName(forPolicyFile path: String) -> String {
        isPlatformFile(path) ? environmentsFileName : namespace(of: serviceName(fromPolicyFile: path)) + ".swift"
    }

    /// `policies/platform.yaml`: the one file that declares environments instead of a service.
    static func isPlatformFile(_ path: String) -> Bool {
        let base = baseName(path)
        return platformFileNames.contains { $0 == base }
    }
}
