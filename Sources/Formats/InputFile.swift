import Syscalls

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// Reads a whole input file into memory with typed errors, the counterpart of `AtomicFile`,
/// and the one place the Formats layer (and the shell, for scripts, config and history)
/// opens a file to read.
///
/// Only regular files are read: the file is opened with O_NONBLOCK (so a FIFO cannot block
/// the open) and checked with fstat before any read, so a FIFO, `/dev/zero` or a terminal is
/// an error that says what it is, never a hang or a read that grows without bound.
public enum InputFile {
  /// Largest file `read` accepts unless told otherwise (2 GiB).
  public static let defaultLimit = 1 << 31

  /// The bytes of the regular file at `path`; other kinds of file, unreadable files and files
  /// over `limit` bytes are errors. `/proc` files (regular, size 0) are read in chunks.
  public static func read(_ path: String, limit: Int = defaultLimit) throws(FormatError) -> [UInt8] {
    let fd = try openRegular(path)
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { throw .io(path: path, operation: "stat", errno: Syscall.lastError) }
    let expected = Int(info.st_size)
    guard expected <= limit else { throw .fileTooLarge(limit: limit) }
    // Regular files report their size; /proc files report 0 and are read in chunks.
    var bytes = [UInt8](repeating: 0, count: max(expected, min(1 << 16, limit)))
    var filled = 0
    while true {
      if filled == bytes.count {
        // One probe byte past the limit tells "exactly at the limit" from "over it".
        guard bytes.count <= limit else { throw .fileTooLarge(limit: limit) }
        // A file whose size is known needs one probe byte for its end, not a doubling (a
        // 200 MB trace would cost 400 MB); `[UInt8](repeating:)` is a memset even in debug builds.
        let grow = filled == expected && expected > 0 ? 1 : max(1, min(bytes.count, limit - bytes.count + 1))
        bytes += [UInt8](repeating: 0, count: grow)
      }
      let n = bytes.withUnsafeMutableBytes { raw in
        Glibc.read(fd, raw.baseAddress.map { $0 + filled }, raw.count - filled)
      }
      if n < 0 {
        if Syscall.lastError.rawValue == EINTR { continue }
        throw .io(path: path, operation: "read", errno: Syscall.lastError)
      }
      if n == 0 { break }
      filled += n
    }
    guard filled <= limit else { throw .fileTooLarge(limit: limit) }
    bytes.removeSubrange(filled...)
    return bytes
  }

  /// The UTF-8 text of the regular file at `path` (invalid bytes become U+FFFD).
  public static func readText(_ path: String, limit: Int = defaultLimit) throws(FormatError) -> String {
    String(decoding: try read(path, limit: limit), as: UTF8.self)
  }

  /// What `path` names, without opening it (`nil` when it does not exist); for callers such
  /// as libedit's history loader that open the path themselves.
  public static func kind(of path: String) -> FileKind? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    return FileKind(mode: info.st_mode)
  }

  /// Checks, without reading, that `path` is a regular file `read` would accept (at most
  /// `limit` bytes); for callers such as libedit's history loader that open the path themselves.
  public static func checkReadable(_ path: String, limit: Int = defaultLimit) throws(FormatError) {
    let fd = try openRegular(path)
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { throw .io(path: path, operation: "stat", errno: Syscall.lastError) }
    guard Int(info.st_size) <= limit else { throw .fileTooLarge(limit: limit) }
  }

  /// Opens `path` for reading without blocking on a FIFO and checks it is a regular file;
  /// the descriptor is blocking again when returned. The caller closes it.
  static func openRegular(_ path: String) throws(FormatError) -> Int32 {
    let fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
    guard fd >= 0 else { throw .io(path: path, operation: "open", errno: Syscall.lastError) }
    var info = stat()
    guard fstat(fd, &info) == 0 else {
      let code = Syscall.lastError
      close(fd)
      throw .io(path: path, operation: "stat", errno: code)
    }
    let kind = FileKind(mode: info.st_mode)
    guard kind == .regular else {
      close(fd)
      throw .notRegularFile(path: path, kind: kind)
    }
    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
    return fd
  }
}
