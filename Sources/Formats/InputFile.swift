#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// Reads a whole input file into memory with typed errors, the counterpart of `AtomicFile`.
public enum InputFile {
  /// Largest file `read` accepts unless told otherwise (2 GiB).
  public static let defaultLimit = 1 << 31

  /// The bytes of the file at `path`; directories, unreadable files and files over `limit` are errors.
  public static func read(_ path: String, limit: Int = defaultLimit) throws(FormatError) -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw .io(path: path, operation: "open", errno: errno) }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { throw .io(path: path, operation: "stat", errno: errno) }
    guard (info.st_mode & S_IFMT) != S_IFDIR else { throw .io(path: path, operation: "read", errno: EISDIR) }
    let expected = Int(info.st_size)
    guard expected <= limit else { throw .fileTooLarge(limit: limit) }
    // Regular files report their size; pipes and /proc files report 0 and are read in chunks.
    var bytes = [UInt8](repeating: 0, count: max(expected, 1 << 16))
    var filled = 0
    while true {
      if filled == bytes.count {
        guard bytes.count < limit else { throw .fileTooLarge(limit: limit) }
        bytes.append(contentsOf: repeatElement(0, count: min(bytes.count, limit - bytes.count)))
      }
      let n = bytes.withUnsafeMutableBytes { raw in
        Glibc.read(fd, raw.baseAddress.map { $0 + filled }, raw.count - filled)
      }
      if n < 0 {
        if errno == EINTR { continue }
        throw .io(path: path, operation: "read", errno: errno)
      }
      if n == 0 { break }
      filled += n
    }
    bytes.removeSubrange(filled...)
    return bytes
  }
}
