/// Why a file could not be used for symbolization. Symbolization itself never fails on a
/// bad or missing binary (its frames get `file+0xOFFSET` names); these errors say why.
public enum SymbolizeError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The file could not be opened, inspected or mapped; `errno` is the C error number.
  case cannotRead(path: String, operation: String, errno: Int32)
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
      return "cannot \(op) \(path): \(errnoDescription(errno))"
    case .notELF(let path, let reason):
      return "\(path) is not a usable ELF file: \(reason)"
    case .truncated(let path, let what, let offset):
      return "\(path) is truncated or corrupt: \(what) at offset 0x\(String(offset, radix: 16)) is outside the file"
    case .buildIDMismatch(let path, let expected, let found):
      return "\(path) has build id \(found.isEmpty ? "(none)" : found), but the profile recorded \(expected)"
    }
  }
}
