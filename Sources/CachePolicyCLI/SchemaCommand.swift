import ArgumentParser
import PolicyCompiler

/// `cachepolicy schema`: the JSON Schema of policy files.
struct SchemaCommand: ParsableCommand, ConsoleCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the JSON Schema of policy files (for editors' YAML language server).")

    func execute(_ console: Console) throws -> Int32 {
        console.out(PolicySchema.document().rendered())
        return 0
    }
}
