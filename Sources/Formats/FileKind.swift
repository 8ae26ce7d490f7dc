#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// What kind of file system object a path names (from `st_mode`), so errors can say what
/// a non-regular file is instead of hanging on it or replacing it.
public enum FileKind: String, Sendable, Equatable, CustomStringConvertible {
  case regular = "a regular file"
  case directory = "a directory"
  case fifo = "a FIFO"
  case characterDevice = "a character device"
  case blockDevice = "a block device"
  case socket = "a socket"
  case symbolicLink = "a symbolic link"
  case unknown = "an unknown kind of file"

  /// The kind encoded in the `S_IFMT` bits of `mode`.
  public init(mode: mode_t) {
    switch mode & S_IFMT {
    case S_IFREG: self = .regular
    case S_IFDIR: self = .directory
    case S_IFIFO: self = .fifo
    case S_IFCHR: self = .characterDevice
    case S_IFBLK: self = .blockDevice
    case S_IFSOCK: self = .socket
    case S_IFLNK: self = .symbolicLink
    default: self = .unknown
    }
  }

  /// The kind with its article ("a FIFO"), for messages.
  public var description: String { rawValue }
}
