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
        let words = name.split { $0 == "-" || $0 == "." || $0 == "_" }
        let joined = words.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        return joined.first?.isNumber == true ? "_" + joined : joined
    }

    /// The service a policy file is named after: `policies/billing-v2.yaml` → `billing-v2`.
    static func serviceName(fromPolicyFile path: String) -> String {
        let base = path.split(separator: "/").last.map(String.init) ?? path
        return base.split(separator: ".").first.map(String.init) ?? base
    }

    /// The namespace of a service: `payment` → `PaymentCache`.
    static func namespace(of service: String) -> String { typeName(service) + "Cache" }

    /// `policies/billing-v2.yaml` → `BillingV2Cache.swift`: outputs are predictable from inputs alone.
    static func fileName(forPolicyFile path: String) -> String {
        isPlatformFile(path) ? environmentsFileName : namespace(of: serviceName(fromPolicyFile: path)) + ".swift"
    }

    /// `policies/platform.yaml`: the one file that declares environments instead of a service.
    static func isPlatformFile(_ path: String) -> Bool {
        platformFileNames.contains(path.split(separator: "/").last.map(String.init) ?? path)
    }
}
