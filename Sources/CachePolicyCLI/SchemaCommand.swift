import ArgumentParser
import PolicyCompiler

/// `cachepolicy schema`: the JSON Schema of policy files (or, with `--config`, of `cachepolicy.yaml`; with `--platform`, of `platform.yaml`).
struct SchemaCommand: ParsableCommand, ConsoleCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the JSON Schema of policy files (for editors' YAML language server).")

    @Flag(help: "Print the schema of the generation config (cachepolicy.yaml) instead.")
    var config = false

    @Flag(help: "Print the schema of the platform file (policies/platform.yaml) instead.")
    var platform = false

    func validate() throws {
        if config && platform { throw ValidationError("give --config or --platform, not both") }
    }

    func execute(_ console: Console) throws -> Int32 {
        let document = config ? PolicySchema.configDocument() : platform ? PolicySchema.platformDocument() : PolicySchema.document()
        console.out(document.rendered())
        return 0
    }
}
