import CachePolicyCLI
import Foundation

exit(CachePolicyCommand.run(Array(CommandLine.arguments.dropFirst()), console: .standard))
