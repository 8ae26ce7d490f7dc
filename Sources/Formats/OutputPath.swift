import Syscalls

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// Path work for `AtomicFile`: the file a chain of symlinks ends at, temporary names beside
/// it, and flushing the directory after a rename.
enum OutputPath {
  /// Symlinks the kernel follows at most (its own limit, MAXSYMLINKS).
  static let maximumLinks = 40

  /// The path that `path` finally names after following symlinks in its last component: the
  /// file to replace. A dangling link gives the (missing) file it points to, so writing
  /// creates that file and leaves the link a link. Directory symlinks in the path need no
  /// resolving: the temporary file is made in the same directory as the result.
  static func finalTarget(of path: String, reportedAs reported: String) throws(FormatError) -> String {
    let chain = try linkChain(of: path, reportedAs: reported)
    return chain[chain.count - 1]
  }

  /// What `path` (or a symlink it leads through) says about an open file descriptor:
  /// `/dev/stdout` -> `/proc/self/fd/1`, `/dev/fd/N`, `/proc/PID/fd/N`.
  enum Descriptor: Equatable {
    /// Descriptor N of this process.
    case own(Int32)
    /// A descriptor of another process.
    case other
  }

  /// The descriptor `path` leads to, if it leads through one.
  static func descriptor(named path: String) -> Descriptor? {
    guard let chain = try? linkChain(of: path, reportedAs: path) else { return nil }
    for hop in chain {
      let parts = hop.split(separator: "/")
      guard parts.count >= 3, parts[parts.count - 2] == "fd", let n = Int32(parts[parts.count - 1]) else { continue }
      if parts.count == 3 && parts[0] == "dev" { return .own(n) }
      guard parts.count == 4 && parts[0] == "proc" else { continue }
      let owner = parts[1]
      return owner == "self" || owner == "thread-self" || owner == Substring(String(getpid())) ? .own(n) : .other
    }
    return nil
  }

  /// `path`, then each path the symlink at the previous one points to, until one that is not
  /// a symlink (or does not exist); at most `maximumLinks` hops.
  private static func linkChain(of path: String, reportedAs reported: String) throws(FormatError) -> [String] {
    var chain = [path]
    for _ in 0..<maximumLinks {
      let current = chain[chain.count - 1]
      var info = stat()
      guard lstat(current, &info) == 0, (info.st_mode & S_IFMT) == S_IFLNK else { return chain }
      var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
      let n = readlink(current, &buffer, buffer.count - 1)
      guard n > 0 else { throw .io(path: reported, operation: "read symbolic link", errno: Syscall.lastError) }
      let link = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
      chain.append(link.hasPrefix("/") ? link : split(current).directory + "/" + link)
    }
    throw .io(path: reported, operation: "follow symbolic links", errno: Errno(rawValue: ELOOP))
  }

  /// A fresh name beside `path`: `.NAME.tmp-PID-RANDOM` (O_EXCL catches the unlikely clash).
  static func temporaryPath(for path: String) -> String {
    let (dir, base) = split(path)
    let n = UInt32.random(in: 0...UInt32.max)
    return "\(dir)/.\(base).tmp-\(getpid())-\(String(n, radix: 16))"
  }

  /// The directory (or ".") and last component of `path`.
  static func split(_ path: String) -> (directory: String, name: String) {
    guard let slash = path.lastIndex(of: "/") else { return (".", path) }
    let dir = String(path[..<slash])
    return (dir.isEmpty ? "/" : dir, String(path[path.index(after: slash)...]))
  }

  /// Flushes the directory entry so the rename survives a crash; failure here is harmless.
  static func syncDirectory(of path: String) {
    let fd = open(split(path).directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard fd >= 0 else { return }
    _ = fsync(fd)
    close(fd)
  }
}
