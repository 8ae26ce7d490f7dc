import Syscalls

/// Why a file could not be used for symbolization. Symbolization itself never fails on a
/// bad or missing binary (its frames get `file+0xOFFSET` names); these errors say why.
public enum SymbolizeError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The file could not be opened, inspected or mapped; `errno` says why.
  case cannotRead(path: String, operation: String, errno: Errno)
  /// The path names something other than a regular file (`kind` says what, e.g. "a FIFO"),
  /// which is never opened for reading: a FIFO would block, `/dev/zero` never ends.
  case notRegularFile(path: String, kind: String)
  /// The file is larger than `limit` bytes, the most this reader accepts.
  case tooLarge(path: String, limit: Int)
  /// A JIT map is owned by another user than perfsh's (and not root), so it is not trusted.
  case untrustedOwner(path: String, owner: UInt32)
  /// The bytes are not an ELF file this parser understands.
  case notELF(path: String, reason: String)
  /// A header or table points outside the file.
  case truncated(path: String, what: String, offset: UInt64)
  /// The file found for a mapping has a different build id than the one recorded.
  case buildIDMismatch(path: String, expected: String, found: String)

  /// A lower-case message naming the file and what is wrong.
  public var description: String {
    switch self {
    case .cannotRead(let path, let op, let errno):
      return "cannot \(op) \(path): \(errno.message)"
    case .notRegularFile(let path, let kind):
      return "cannot read \(path): it is \(kind), not a regular file"
    case .tooLarge(let path, let limit):
      let size = limit >= 1 << 20 && limit % (1 << 20) == 0 ? "\(limit >> 20) MiB" : "\(limit)-byte"
      return "cannot read \(path): it is larger than the \(size) limit"
    case .untrustedOwner(let path, let owner):
      return "ignored \(path): owned by uid \(owner), not by perfsh's user or root (as perf does)"
    case .notELF(let path, let reason):
      return "\(path) is not a usable ELF file: \(reason)"
    case .truncated(let path, let what, let offset):
      return "\(path) is truncated or corrupt: \(what) at offset 0x\(String(offset, radix: 16)) is outside the file"
    case .buildIDMismatch(let path, let expected, let found):
      return "\(path) has build id \(found.isEmpty ? "(none)" : found), but the profile recorded \(expected)"
    }
  }
}
