import Testing
@testable import PolicyCompiler
