import CachePolicyAudit
import CachePolicyCLI
import Foundation

exit(await AuditCommand.run(Array(CommandLine.arguments.dropFirst()), console: .standard))
