import Glibc
import Syscalls

/// Facts about the running kernel that shape how events are opened.
public enum SystemInfo {
  /// Online CPU numbers from `/sys/devices/system/cpu/online` (e.g. "0-3,6").
  public static func onlineCPUs() throws(CaptureError) -> [Int32] {
    let path = "/sys/devices/system/cpu/online"
    guard let text = readSmallFile(path) else { throw .systemFile(path: path, detail: "unreadable") }
    guard let cpus = parseCPUList(text), !cpus.isEmpty else {
      throw .systemFile(path: path, detail: "unexpected contents \"\(text)\"")
    }
    return cpus
  }

  /// Parses a kernel CPU list such as "0-3,6"; nil when malformed.
  public static func parseCPUList(_ text: String) -> [Int32]? {
    var result: [Int32] = []
    for part in text.split(whereSeparator: { $0 == "," || $0 == "\n" || $0 == " " }) {
      let bounds = part.split(separator: "-")
      guard let first = bounds.first.flatMap({ Int32($0) }) else { return nil }
      let last = bounds.count == 2 ? Int32(bounds[1]) : first
      guard let last, bounds.count <= 2, last >= first else { return nil }
      result.append(contentsOf: first...last)
    }
    return result
  }

  /// `kernel.perf_event_paranoid`, or nil when the file is missing.
  public static func perfEventParanoid() -> Int? {
    readSmallFile("/proc/sys/kernel/perf_event_paranoid").flatMap { Int($0.trimmingWhitespace()) }
  }

  /// `kernel.pid_max`: every process and thread id is below it; nil when the file is missing.
  public static func pidMax() -> Int? {
    readSmallFile("/proc/sys/kernel/pid_max").flatMap { Int($0.trimmingWhitespace()) }
  }

  /// `kernel.perf_event_max_sample_rate`, or nil when the file is missing.
  public static func maxSampleRate() -> Int? {
    readSmallFile("/proc/sys/kernel/perf_event_max_sample_rate").flatMap { Int($0.trimmingWhitespace()) }
  }

  /// True when running with euid 0.
  public static var isRoot: Bool { geteuid() == 0 }

  /// CLOCK_MONOTONIC now, in nanoseconds (the clock the sampler's records use).
  public static func monotonicNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
  }

  /// CLOCK_REALTIME now, in nanoseconds since the Unix epoch.
  public static func wallNanos() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) &* 1_000_000_000 &+ Int64(ts.tv_nsec)
  }

  /// This process's environment as `KEY=VALUE` strings, in order.
  public static func environment() -> [String] {
    var result: [String] = []
    var p = environ
    while let entry = p.pointee {
      result.append(String(cString: entry))
      p += 1
    }
    return result
  }

  /// The system page size.
  public static var pageSize: Int { Int(sysconf(Int32(_SC_PAGESIZE))) }

  /// Whether process `pid` exists and is not a zombie (from `/proc/PID/stat`).
  public static func processIsRunning(_ pid: Int32) -> Bool {
    guard pid > 0, let stat = readSmallFile("/proc/\(pid)/stat"), let close = stat.lastIndex(of: ")") else {
      return false
    }
    // "PID (comm) S ...": the state letter follows the last ')' and a space.
    let state = stat[stat.index(after: close)...].first { $0 != " " }
    return state != nil && state != "Z" && state != "X"
  }

  /// The command name of process `pid` (`/proc/PID/comm`, at most 15 bytes), or nil.
  public static func processName(_ pid: Int32) -> String? {
    readSmallFile("/proc/\(pid)/comm").map { $0.trimmingWhitespace() }
  }

  /// The executable of process `pid` (`/proc/PID/exe`), or nil when unreadable.
  public static func processExecutable(_ pid: Int32) -> String? {
    var buffer = [CChar](repeating: 0, count: 4096)
    let n = readlink("/proc/\(pid)/exe", &buffer, buffer.count - 1)
    guard n > 0 else { return nil }
    return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  /// Writes `text` to standard error at once (a notice that must not wait for buffers).
  public static func writeStandardError(_ text: String) {
    var bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
      let n = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress.map { $0 + offset }, $0.count - offset) }
      if n < 0 && Syscall.lastError.rawValue == EINTR { continue }
      if n <= 0 { return }
      offset += n
    }
  }

  /// Most bytes `readSmallFile` returns (16 MiB: far above any /proc, /sys or tracefs entry).
  static let smallFileLimit = 16 << 20

  /// Reads a small text file (a /proc, /sys or tracefs entry) in one go; nil when it cannot
  /// be opened, is not a regular file (these report size 0 but are S_IFREG; a FIFO or device
  /// put in their place would block or never end), or holds more than `limit` bytes.
  static func readSmallFile(_ path: String, limit: Int = smallFileLimit) -> String? {
    let fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
      let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      if n < 0 && Syscall.lastError.rawValue == EINTR { continue }
      if n <= 0 { break }
      bytes.append(contentsOf: chunk[0..<n])
      if bytes.count > limit { return nil }
    }
    return String(decoding: bytes, as: UTF8.self)
  }
}

extension String {
  func trimmingWhitespace() -> String {
    var s = Substring(self)
    while let c = s.first, c.isWhitespace { s.removeFirst() }
    while let c = s.last, c.isWhitespace { s.removeLast() }
    return String(s)
  }
}
