import Capture
import Foundation

/// `run --alloc`: where the allocation recorder library is and the request built from the flags.
enum AllocationRun {
  /// The library's file name; SwiftPM builds it next to the perfsh binary.
  static let libraryName = "libperfsh-alloc.so"

  /// The request for `--alloc [--alloc-rate BYTES]`; fails when the recorder is not installed.
  static func request(rate: Int64?, environment: [String: String]) throws(ShellError) -> AllocationRequest {
    let library = try locate(environment: environment)
    return AllocationRequest(rate: rate ?? AllocationRequest.defaultRate, library: library)
  }

  /// `PERFSH_ALLOC_LIBRARY`, else libperfsh-alloc.so in the directory of the running binary.
  static func locate(environment: [String: String]) throws(ShellError) -> String {
    if let path = environment["PERFSH_ALLOC_LIBRARY"], !path.isEmpty {
      guard FileManager.default.isReadableFile(atPath: path) else {
        throw .command(.allocationRecorderMissing(path: path, library: libraryName, configured: true))
      }
      return path
    }
    let binary =
      (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    let path = URL(fileURLWithPath: binary).deletingLastPathComponent().appendingPathComponent(libraryName).path
    guard FileManager.default.isReadableFile(atPath: path) else {
      throw .command(.allocationRecorderMissing(path: path, library: libraryName, configured: false))
    }
    return path
  }
}
