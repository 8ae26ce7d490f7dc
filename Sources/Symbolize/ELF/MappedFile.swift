import Glibc
import Syscalls

/// A file mapped read-only into memory; owns the mapping and unmaps it when destroyed.
///
/// This is the one place the Symbolize layer calls `open`, `fstat`, `mmap` and `munmap`
/// (`openRegular` is the chokepoint every reader of the layer goes through).
/// Parsers take `bytes`, which stay valid for the lifetime of this value.
public struct MappedFile: ~Copyable {
  /// The file's contents.
  public let bytes: UnsafeRawBufferPointer
  /// The path the file was opened from.
  public let path: String
  private let ownsMapping: Bool

  /// Maps `path` read-only. The corresponding C functions are `open`, `fstat` and `mmap`.
  public init(path: String) throws(SymbolizeError) {
    let mapped = try MappedFile.map(path: path)
    self.path = path
    self.bytes = mapped
    self.ownsMapping = mapped.count > 0
  }

  private static func map(path: String) throws(SymbolizeError) -> UnsafeRawBufferPointer {
    let (fd, st) = try openRegular(path: path)
    defer { close(fd) }
    let size = Int(st.st_size)
    if size == 0 { return UnsafeRawBufferPointer(start: nil, count: 0) }
    guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
      throw .cannotRead(path: path, operation: "map", errno: Syscall.lastError)
    }
    return UnsafeRawBufferPointer(start: p, count: size)
  }

  /// Opens `path` read-only, if it is a regular file: the open is non-blocking (a FIFO
  /// cannot stall it) and fstat checks the kind before any read, so a FIFO or a link to
  /// `/dev/zero` is an error saying what it is. The descriptor returned is blocking again;
  /// the caller closes it. This is the one place the Symbolize layer opens a file.
  public static func openRegular(path: String) throws(SymbolizeError) -> (fd: Int32, status: stat) {
    let fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
    if fd < 0 { throw .cannotRead(path: path, operation: "open", errno: Syscall.lastError) }
    var st = stat()
    if fstat(fd, &st) != 0 {
      let code = Syscall.lastError
      close(fd)
      throw .cannotRead(path: path, operation: "stat", errno: code)
    }
    guard (st.st_mode & S_IFMT) == S_IFREG else {
      close(fd)
      throw .notRegularFile(path: path, kind: fileKindName(st.st_mode))
    }
    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
    return (fd, st)
  }

  /// Wraps memory the caller keeps alive (e.g. the vDSO image); nothing is unmapped.
  public init(borrowing memory: UnsafeRawBufferPointer, name: String) {
    bytes = memory
    path = name
    ownsMapping = false
  }

  /// Takes ownership of an anonymous mapping made by this layer (decompressed sections);
  /// it is unmapped when this value goes.
  init(adopting mapping: UnsafeRawBufferPointer, name: String) {
    bytes = mapping
    path = name
    ownsMapping = mapping.count > 0
  }

  deinit {
    if ownsMapping, let base = bytes.baseAddress {
      munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
    }
  }
}

/// "a FIFO", "a directory", … for the file-type bits of `mode`, for error messages.
func fileKindName(_ mode: mode_t) -> String {
  switch mode & S_IFMT {
  case S_IFREG: "a regular file"
  case S_IFDIR: "a directory"
  case S_IFIFO: "a FIFO"
  case S_IFCHR: "a character device"
  case S_IFBLK: "a block device"
  case S_IFSOCK: "a socket"
  case S_IFLNK: "a symbolic link"
  default: "an unknown kind of file"
  }
}

extension MappedFile {
  /// Most bytes `readText` accepts unless told otherwise (256 MiB: far above any kallsyms
  /// or JIT map, far below what would exhaust memory).
  public static let textLimit = 256 << 20

  /// The whole contents of a regular text file, read with `read` (for `/proc` files, whose
  /// size `stat` reports as zero so they cannot be mapped), at most `limit` bytes. With
  /// `ownedBy`, the file (and a symlink at `path`) must belong to that user or to root, the
  /// rule perf applies to `/tmp/perf-PID.map` so another user cannot plant names. The
  /// corresponding C functions are `open`, `fstat` and `read`.
  public static func readText(path: String, limit: Int = textLimit, ownedBy owner: uid_t? = nil) throws(SymbolizeError)
    -> String
  {
    if let owner {
      var link = stat()
      if lstat(path, &link) == 0, link.st_uid != 0, link.st_uid != owner {
        throw .untrustedOwner(path: path, owner: UInt32(link.st_uid))
      }
    }
    let (fd, st) = try openRegular(path: path)
    defer { close(fd) }
    if let owner, st.st_uid != 0, st.st_uid != owner { throw .untrustedOwner(path: path, owner: UInt32(st.st_uid)) }
    if Int(st.st_size) > limit { throw .tooLarge(path: path, limit: limit) }
    var data: [UInt8] = []
    let chunk = 1 << 16
    while true {
      // No reserveCapacity(count + chunk) here: procfs files arrive a page per read, and
      // reserving exactly each time re-copies the whole buffer (quadratic for /proc/kallsyms).
      var readError = Errno(rawValue: 0)
      let n = withUnsafeTemporaryAllocation(byteCount: chunk, alignment: 1) { buffer -> Int in
        let got = read(fd, buffer.baseAddress, chunk)
        if got < 0 { readError = Syscall.lastError }
        if got > 0 { data.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[..<got])) }
        return got
      }
      if n < 0 {
        if readError.rawValue == EINTR { continue }
        throw .cannotRead(path: path, operation: "read", errno: readError)
      }
      if n == 0 { break }
      if data.count > limit { throw .tooLarge(path: path, limit: limit) }
    }
    return String(decoding: data, as: UTF8.self)
  }
}

/// One version of a file on disk: device, inode, size and modification time. A binary
/// rebuilt at the same path gets a new identity, so cached symbols are not reused for it.
public struct FileIdentity: Hashable, Sendable {
  /// Device number.
  public var device: UInt64
  /// Inode number.
  public var inode: UInt64
  /// Size in bytes (-1 for a missing file).
  public var size: Int64
  /// Modification time, seconds part.
  public var modifiedSeconds: Int64
  /// Modification time, nanoseconds part.
  public var modifiedNanoseconds: Int64

  /// The identity of a file that does not exist or cannot be inspected.
  public static let missing = FileIdentity(device: 0, inode: 0, size: -1, modifiedSeconds: 0, modifiedNanoseconds: 0)

  /// The identity of the file at `path` now (`missing` when `stat` fails). The corresponding
  /// C function is `stat`.
  public static func of(path: String) -> FileIdentity {
    var st = stat()
    guard stat(path, &st) == 0 else { return .missing }
    return FileIdentity(
      device: UInt64(st.st_dev), inode: UInt64(st.st_ino), size: Int64(st.st_size),
      modifiedSeconds: Int64(st.st_mtim.tv_sec), modifiedNanoseconds: Int64(st.st_mtim.tv_nsec))
  }
}
