import Foundation

/// The bundled example workloads (examples/workloads/*.c), built once per test process by
/// scripts/build-examples into examples/bin.
public enum Workloads {
  /// The package's root folder.
  public static let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  private static let built: Result<Void, BuildFailure> = {
    do {
      let result = try ProcessRunner.run(
        URL(fileURLWithPath: "/bin/sh"), [packageRoot.appendingPathComponent("scripts/build-examples").path])
      return result.status == 0 ? .success(()) : .failure(BuildFailure(message: result.stderr))
    } catch {
      return .failure(BuildFailure(message: "\(error)"))
    }
  }()

  /// Path of the built workload `name` (e.g. "ratio"), building the examples when needed.
  public static func path(_ name: String) throws -> String {
    try built.get()
    return packageRoot.appendingPathComponent("examples/bin/\(name)").path
  }

  /// Why the examples could not be built.
  public struct BuildFailure: Error, CustomStringConvertible {
    public var message: String
    public var description: String { "scripts/build-examples failed: \(message)" }
  }
}

/// Parses the CSV that `export csv` writes into name → (count, cpu nanoseconds).
public func parseHeatmapCSV(_ text: String) -> [String: (count: Int64, cpuNanos: Int64)] {
  var rows: [String: (Int64, Int64)] = [:]
  for line in text.split(separator: "\n").dropFirst() {
    let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    guard fields.count >= 3, let count = Int64(fields[1]), let cpu = Int64(fields[2]) else { continue }
    rows[fields[0]] = (count, cpu)
  }
  return rows
}
