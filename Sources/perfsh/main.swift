// perfsh's entry point: everything happens in Shell's Launcher.
import Foundation
import Shell

exit(
  Launcher.main(arguments: Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment))
