import Syscalls

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// Writes output files without damaging what is at the path. This is the one place perfsh
/// writes output files. What happens depends on what the path names (after symlinks):
///
/// - nothing, or a regular file: the bytes go to a temporary file in the same directory, are
///   flushed with fsync, get the replaced file's mode and owner, and the temporary is renamed
///   over it, so a reader never sees a half-written file. When the owner cannot be kept (not
///   root: another user's file, or a group we may not chown to) or the file has other hard
///   links, it is rewritten in place instead, as editors do.
/// - a symbolic link: the file it points to is replaced (or created, for a dangling link);
///   the link stays a link.
/// - a character device (`/dev/null`, a terminal): written through, never replaced.
/// - an open descriptor (`/dev/stdout`, `/dev/fd/N`, `/proc/PID/fd/N`) of a regular file:
///   written through a duplicate of it (sharing its offset; another process's is appended
///   to), never renamed over.
/// - a FIFO: written through when a reader is already waiting; with no reader it is an error
///   (`fifoWithoutReader`) rather than a wait that could last forever.
/// - a directory, block device or socket: an error (`cannotWriteTo`).
public enum AtomicFile {
  /// Writes `bytes` to `path` by the rules above.
  public static func write(_ bytes: [UInt8], to path: String) throws(FormatError) {
    var info = stat()
    guard stat(path, &info) == 0 else {
      let code = Syscall.lastError
      // Missing, or a dangling symlink: create the file the path (finally) names.
      guard code.rawValue == ENOENT else { throw .io(path: path, operation: "stat", errno: code) }
      try replaceRegularFile(
        at: try OutputPath.finalTarget(of: path, reportedAs: path), existing: nil, bytes, reportedAs: path)
      return
    }
    switch FileKind(mode: info.st_mode) {
    case .regular:
      if let descriptor = OutputPath.descriptor(named: path) {
        // `/dev/stdout` redirected to a file: write through the descriptor itself (a dup
        // shares its offset), after what perfsh already wrote there, as shells treat
        // `/dev/stdout`; another process's descriptor is appended to.
        let fd: Int32
        switch descriptor {
        case .own(let n): fd = fcntl(n, F_DUPFD_CLOEXEC, 0)
        case .other: fd = open(path, O_WRONLY | O_APPEND | O_NOCTTY | O_CLOEXEC)
        }
        guard fd >= 0 else { throw .io(path: path, operation: "open", errno: Syscall.lastError) }
        try writeAndClose(fd, bytes, reportedAs: path)
        return
      }
      let target = try OutputPath.finalTarget(of: path, reportedAs: path)
      if info.st_nlink > 1 || (info.st_uid != geteuid() && geteuid() != 0) {
        try rewriteInPlace(target, bytes, reportedAs: path)
        return
      }
      do throws(FormatError) {
        try replaceRegularFile(at: target, existing: info, bytes, reportedAs: path)
      } catch .io(_, Self.keepOwner, Errno(rawValue: EPERM)) {
        // Our own file in a group we may not give away (not root): keep it by rewriting.
        try rewriteInPlace(target, bytes, reportedAs: path)
      }
    case .characterDevice:
      let fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC)
      guard fd >= 0 else { throw .io(path: path, operation: "open", errno: Syscall.lastError) }
      try writeAndClose(fd, bytes, reportedAs: path)
    case .fifo:
      // O_NONBLOCK makes open fail with ENXIO at once when no process has the FIFO open
      // for reading; with a reader it succeeds, and the writes may then block as in a pipe.
      let fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
      guard fd >= 0 else {
        if Syscall.lastError.rawValue == ENXIO { throw .fifoWithoutReader(path: path) }
        throw .io(path: path, operation: "open", errno: Syscall.lastError)
      }
      _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
      try writeAndClose(fd, bytes, reportedAs: path)
    case let kind:
      throw .cannotWriteTo(path: path, kind: kind)
    }
  }

  /// Writes the UTF-8 of `text` to `path` by the rules of `write(_:to:)`.
  public static func write(_ text: String, to path: String) throws(FormatError) {
    try write(Array(text.utf8), to: path)
  }

  /// The operation named when the replaced file's owner cannot be given to the new one.
  static let keepOwner = "keep owner (fchown)"

  /// Temporary file beside `target`, then rename over it. `existing` is the replaced file's
  /// status, whose owner and mode the new file gets.
  private static func replaceRegularFile(
    at target: String, existing: stat?, _ bytes: [UInt8], reportedAs path: String
  ) throws(FormatError) {
    let tmp = OutputPath.temporaryPath(for: target)
    let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw .io(path: path, operation: "create temporary file", errno: Syscall.lastError) }
    var ok = false
    defer {
      if !ok { unlink(tmp) }
    }
    do throws(FormatError) {
      if let existing {
        // Owner first, then the permission bits. Set-user/group-ID bits are not carried over:
        // the kernel drops them too when a file's contents are rewritten.
        if existing.st_uid != geteuid() || existing.st_gid != getegid() {
          guard fchown(fd, existing.st_uid, existing.st_gid) == 0 else {
            throw FormatError.io(path: path, operation: keepOwner, errno: Syscall.lastError)
          }
        }
        guard fchmod(fd, existing.st_mode & 0o1777) == 0 else {
          throw FormatError.io(path: path, operation: "keep mode (fchmod)", errno: Syscall.lastError)
        }
      }
      try FileDescriptorIO.writeAll(fd, bytes, reportedAs: path)
      guard fsync(fd) == 0 else { throw FormatError.io(path: path, operation: "fsync", errno: Syscall.lastError) }
    } catch {
      close(fd)
      throw error
    }
    guard close(fd) == 0 else { throw .io(path: path, operation: "close", errno: Syscall.lastError) }
    guard rename(tmp, target) == 0 else { throw .io(path: path, operation: "rename", errno: Syscall.lastError) }
    ok = true
    OutputPath.syncDirectory(of: target)
  }

  /// Truncates and rewrites an existing regular file, keeping its inode (owner, mode, links).
  private static func rewriteInPlace(_ target: String, _ bytes: [UInt8], reportedAs path: String) throws(FormatError) {
    let fd = open(target, O_WRONLY | O_TRUNC | O_NOCTTY | O_CLOEXEC)
    guard fd >= 0 else { throw .io(path: path, operation: "open", errno: Syscall.lastError) }
    do throws(FormatError) {
      try FileDescriptorIO.writeAll(fd, bytes, reportedAs: path)
      guard fsync(fd) == 0 else { throw FormatError.io(path: path, operation: "fsync", errno: Syscall.lastError) }
    } catch {
      close(fd)
      throw error
    }
    guard close(fd) == 0 else { throw .io(path: path, operation: "close", errno: Syscall.lastError) }
  }

  /// Writes to a device or FIFO and closes it (no fsync: devices and pipes do not support it).
  private static func writeAndClose(_ fd: Int32, _ bytes: [UInt8], reportedAs path: String) throws(FormatError) {
    defer { close(fd) }
    try FileDescriptorIO.writeAll(fd, bytes, reportedAs: path)
  }
}
