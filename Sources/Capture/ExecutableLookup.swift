import Glibc
import Syscalls

/// Finds the file a command name runs, as execvp(3) and shells do.
public enum ExecutableLookup {
  /// The default search path when PATH is unset (glibc's confstr(_CS_PATH) plus /usr/local).
  public static let defaultSearchPath = "/usr/local/bin:/usr/bin:/bin"

  /// The path to exec for `name`: itself when it contains a slash, else the first
  /// executable regular file in `searchPath`. Throws `.commandNotFound` (127) when nothing
  /// matches and `.notExecutable` (126) when only non-executable files match.
  public static func resolve(
    _ name: String, searchPath: String?, workingDirectory: String? = nil
  ) throws(CaptureError) -> String {
    if name.contains("/") {
      // Relative paths are resolved by the child after its chdir; check them there.
      var probe = name
      if !name.hasPrefix("/"), let workingDirectory { probe = workingDirectory + "/" + name }
      var st = stat()
      if stat(probe, &st) != 0 { throw .commandNotFound(name: name) }
      if (st.st_mode & S_IFMT) == S_IFDIR { throw .notExecutable(path: name, errno: .isDirectory) }
      if access(probe, X_OK) != 0 { throw .notExecutable(path: name, errno: .permissionDenied) }
      return name
    }
    var nonExecutable: String?
    let dirs = (searchPath ?? defaultSearchPath).split(separator: ":", omittingEmptySubsequences: false)
    for dir in dirs {
      let base = dir.isEmpty ? "." : String(dir)
      let candidate = base + "/" + name
      var st = stat()
      guard stat(candidate, &st) == 0 else { continue }
      if (st.st_mode & S_IFMT) == S_IFDIR { continue }
      if access(candidate, X_OK) == 0 { return candidate }
      if nonExecutable == nil { nonExecutable = candidate }
    }
    if let nonExecutable { throw .notExecutable(path: nonExecutable, errno: .permissionDenied) }
    throw .commandNotFound(name: name)
  }
}
