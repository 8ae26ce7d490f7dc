import Glibc

/// A file mapped read-only into memory; owns the mapping and unmaps it when destroyed.
///
/// This is the one place the Symbolize layer calls `open`, `fstat`, `mmap` and `munmap`.
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
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    if fd < 0 { throw .cannotRead(path: path, operation: "open", errno: errno) }
    defer { close(fd) }
    var st = stat()
    if fstat(fd, &st) != 0 { throw .cannotRead(path: path, operation: "stat", errno: errno) }
    if (st.st_mode & S_IFMT) != S_IFREG { throw .cannotRead(path: path, operation: "map (not a regular file)", errno: EINVAL) }
    let size = Int(st.st_size)
    if size == 0 { return UnsafeRawBufferPointer(start: nil, count: 0) }
    guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
      throw .cannotRead(path: path, operation: "map", errno: errno)
    }
    return UnsafeRawBufferPointer(start: p, count: size)
  }

  /// Wraps memory the caller keeps alive (e.g. the vDSO image); nothing is unmapped.
  public init(borrowing memory: UnsafeRawBufferPointer, name: String) {
    bytes = memory
    path = name
    ownsMapping = false
  }

  deinit {
    if ownsMapping, let base = bytes.baseAddress {
      munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
    }
  }
}

/// The C library's message for `errno`, lower-cased to fit perfsh's error style.
func errnoDescription(_ code: Int32) -> String {
  guard let s = strerror(code) else { return "error \(code)" }
  let text = String(cString: s)
  guard let first = text.first else { return text }
  return first.lowercased() + text.dropFirst()
}

extension MappedFile {
  /// The whole contents of a text file, read with `read` (for `/proc` files, whose size
  /// `stat` reports as zero so they cannot be mapped). The corresponding C functions are
  /// `open` and `read`.
  public static func readText(path: String) throws(SymbolizeError) -> String {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    if fd < 0 { throw .cannotRead(path: path, operation: "open", errno: errno) }
    defer { close(fd) }
    var data: [UInt8] = []
    let chunk = 1 << 16
    while true {
      // No reserveCapacity(count + chunk) here: procfs files arrive a page per read, and
      // reserving exactly each time re-copies the whole buffer (quadratic for /proc/kallsyms).
      var readError: Int32 = 0
      let n = withUnsafeTemporaryAllocation(byteCount: chunk, alignment: 1) { buffer -> Int in
        let got = read(fd, buffer.baseAddress, chunk)
        if got < 0 { readError = errno }
        if got > 0 { data.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[..<got])) }
        return got
      }
      if n < 0 {
        if readError == EINTR { continue }
        throw .cannotRead(path: path, operation: "read", errno: readError)
      }
      if n == 0 { break }
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
