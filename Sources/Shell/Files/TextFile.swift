import Formats
import Syscalls

#if canImport(Glibc)
  import Glibc
#endif

/// The shell's one way to read a text file it was given (scripts, `source`, the config and
/// rc files, history, source files for `list`): through `InputFile`, so a FIFO, a device or
/// a link to `/dev/zero` is refused with a message saying what it is, never opened blocking
/// or read without end, and the size is capped.
enum TextFile {
  /// Most bytes of a script, config, rc or history file (16 MiB).
  static let scriptLimit = 16 << 20

  /// The UTF-8 text of the regular file at `path`, or why it cannot be read.
  static func read(_ path: String, limit: Int = scriptLimit) throws(ShellError) -> String {
    let bytes: [UInt8]
    do throws(FormatError) {
      bytes = try InputFile.read(path, limit: limit)
    } catch {
      throw .cannotRead(path: path, reason: reason(error))
    }
    guard let text = String(validating: bytes, as: UTF8.self) else {
      throw .cannotRead(path: path, reason: "not UTF-8 text")
    }
    return text
  }

  /// True when nothing exists at `path` (a dangling symlink counts as nothing).
  static func isMissing(_ path: String) -> Bool { InputFile.kind(of: path) == nil }

  /// True when a library may open `path` for writing without blocking or hitting a device:
  /// nothing is there yet, or a regular file.
  static func isSaveable(_ path: String) -> Bool {
    let kind = InputFile.kind(of: path)
    return kind == nil || kind == .regular
  }

  /// A short reason for `cannot read PATH: …`, in the words the shell has always used.
  static func reason(_ error: FormatError) -> String {
    switch error {
    case .io(_, "open", Errno(rawValue: ENOENT)): return "no such file"
    case .io(_, "open", Errno(rawValue: EACCES)): return "permission denied"
    case .notRegularFile(_, .directory): return "it is a directory"
    case .notRegularFile(_, let kind): return "it is \(kind), not a regular file"
    default: return error.reason
    }
  }
}
