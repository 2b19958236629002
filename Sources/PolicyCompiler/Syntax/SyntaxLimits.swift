/// Explicit bounds on what the parser accepts, so that no input can exhaust memory or the stack.
public struct SyntaxLimits: Sendable, Hashable {
    /// Largest file accepted, in bytes.
    public var maxFileSize: Int
    /// Deepest nesting of mappings and sequences.
    public var maxDepth: Int
    /// Most nodes that aliases may add to a document in total.
    public var maxAliasExpansion: Int

    public init(maxFileSize: Int = 1 << 20, maxDepth: Int = 64, maxAliasExpansion: Int = 10_000) {
        self.maxFileSize = maxFileSize
        self.maxDepth = maxDepth
        self.maxAliasExpansion = maxAliasExpansion
    }

    public static let `default` = SyntaxLimits()
}
