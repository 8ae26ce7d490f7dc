/// Where a binary's separate debug file may live, in the order gdb and perf look:
/// `/usr/lib/debug/.build-id/xx/yyyy.debug`, then the `.gnu_debuglink` name in the binary's
/// directory, its `.debug/` subdirectory, and the same directory under `/usr/lib/debug`.
///
/// Pure: it only builds paths; the caller checks which exist.
public enum DebugFileLocator {
  /// Candidate debug-file paths for the binary at `path`.
  public static func candidates(
    forBinary path: String, buildID: String, debugLink: String?, debugRoots: [String] = ["/usr/lib/debug"]
  ) -> [String] {
    var result: [String] = []
    if buildID.utf8.count > 2 {
      let head = buildID.prefix(2)
      let tail = buildID.dropFirst(2)
      for root in debugRoots { result.append("\(root)/.build-id/\(head)/\(tail).debug") }
    }
    if let link = debugLink, !link.isEmpty, !link.contains("/") {
      let dir = directory(of: path)
      result.append("\(dir)/\(link)")
      result.append("\(dir)/.debug/\(link)")
      for root in debugRoots { result.append("\(root)\(dir.hasPrefix("/") ? "" : "/")\(dir)/\(link)") }
    }
    return result.filter { $0 != path }
  }

  /// The directory part of `path` ("." for a bare name).
  static func directory(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return slash == path.startIndex ? "" : String(path[..<slash])
  }
}

/// The last component of a path, used to name frames of binaries without symbols.
func baseName(_ path: String) -> String {
  guard let slash = path.lastIndex(of: "/") else { return path }
  return String(path[path.index(after: slash)...])
}
