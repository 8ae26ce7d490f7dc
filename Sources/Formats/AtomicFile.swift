#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// Writes output files so that a reader never sees one half-written: the bytes go to a
/// temporary file in the same directory, are flushed with fsync, and the temporary is
/// renamed over the destination. This is the one place perfsh writes output files.
public enum AtomicFile {
  /// Replaces (or creates) the file at `path` with `bytes`, atomically.
  public static func write(_ bytes: [UInt8], to path: String) throws(FormatError) {
    let tmp = temporaryPath(for: path)
    let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw .io(path: path, operation: "create temporary file", errno: errno) }
    var ok = false
    defer {
      if !ok { unlink(tmp) }
    }
    do throws(FormatError) {
      try writeAll(fd, bytes, path: path)
      guard fsync(fd) == 0 else { throw FormatError.io(path: path, operation: "fsync", errno: errno) }
    } catch {
      close(fd)
      throw error
    }
    guard close(fd) == 0 else { throw .io(path: path, operation: "close", errno: errno) }
    guard rename(tmp, path) == 0 else { throw .io(path: path, operation: "rename", errno: errno) }
    ok = true
    syncDirectory(of: path)
  }

  /// Replaces (or creates) the file at `path` with the UTF-8 of `text`, atomically.
  public static func write(_ text: String, to path: String) throws(FormatError) {
    try write(Array(text.utf8), to: path)
  }

  private static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(FormatError) {
    var offset = 0
    while offset < bytes.count {
      let n = bytes.withUnsafeBytes { raw in
        Glibc.write(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset)
      }
      if n < 0 {
        if errno == EINTR { continue }
        throw .io(path: path, operation: "write", errno: errno)
      }
      offset += n
    }
  }

  /// A fresh name beside `path`: `.NAME.tmp-PID-RANDOM` (O_EXCL catches the unlikely clash).
  private static func temporaryPath(for path: String) -> String {
    let (dir, base) = split(path)
    let n = UInt32.random(in: 0...UInt32.max)
    return "\(dir)/.\(base).tmp-\(getpid())-\(String(n, radix: 16))"
  }

  /// The directory (or ".") and last component of `path`.
  private static func split(_ path: String) -> (String, String) {
    guard let slash = path.lastIndex(of: "/") else { return (".", path) }
    let dir = String(path[..<slash])
    return (dir.isEmpty ? "/" : dir, String(path[path.index(after: slash)...]))
  }

  /// Flushes the directory entry so the rename survives a crash; failure here is harmless.
  private static func syncDirectory(of path: String) {
    let fd = open(split(path).0, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard fd >= 0 else { return }
    _ = fsync(fd)
    close(fd)
  }

}
