import ArgumentParser
import PolicyCompiler

/// `cachepolicy schema`: the JSON Schema of policy files (or, with `--config`, of `cachepolicy.yaml`).
struct SchemaCommand: ParsableCommand, ConsoleCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the JSON Schema of policy files (for editors' YAML language server).")

    @Flag(help: "Print the schema of the generation config (cachepolicy.yaml) instead.")
    var config = false

    func execute(_ console: Console) throws -> Int32 {
        console.out((config ? PolicySchema.configDocument() : PolicySchema.document()).rendered())
        return 0
    }
}
