import Glibc
import SystemPackage

/// Uprobe definitions made through tracefs (`uprobe_events`), opened as tracepoint events.
///
/// This is how `perf probe` does it, and the one way to have uprobes follow new threads and
/// children: an inherited event of the `uprobe` PMU is re-created at every clone from its
/// attributes, and the kernel then re-reads the path pointer (`config1`) from the *target's*
/// memory, where it points nowhere — clone fails with EFAULT and the target breaks (a Go
/// program dies with "failed to create new OS thread"). A tracefs event carries its path in
/// the kernel, so inheritance works. Definitions live in a group named after perfsh's pid
/// and are removed by `remove()` once their events are closed.
public struct TracefsUprobes: Sendable {
  /// The tracefs mount point in use.
  public let root: String
  /// The event group, `perfsh_<pid>`.
  public let group: String
  private var defined: [String] = []

  /// Finds (or, as root, mounts) tracefs and clears stale groups of perfsh processes that died.
  public init() throws(CaptureError) {
    root = try TracefsUprobes.mountPoint()
    group = "perfsh_\(getpid())"
    TracefsUprobes.removeStale(root: root)
  }

  /// Defines an entry (`isReturn` false) or return probe at `offset` in `path`; returns
  /// the tracepoint id to open with PERF_TYPE_TRACEPOINT.
  public mutating func define(name: String, path: String, offset: UInt64, isReturn: Bool) throws(CaptureError) -> UInt64 {
    let line = "\(isReturn ? "r" : "p"):\(group)/\(name) \(path):0x\(String(offset, radix: 16))\n"
    try TracefsUprobes.append(line, to: root + "/uprobe_events")
    defined.append(name)
    let idPath = "\(root)/events/\(group)/\(name)/id"
    guard let text = SystemInfo.readSmallFile(idPath), let id = UInt64(text.trimmingWhitespace()) else {
      throw .systemFile(path: idPath, detail: "no tracepoint id for the new uprobe")
    }
    return id
  }

  /// Removes every definition made here (their events must be closed first).
  public mutating func remove() {
    for name in defined.reversed() { try? TracefsUprobes.append("-:\(group)/\(name)\n", to: root + "/uprobe_events") }
    defined.removeAll()
  }

  static func mountPoint() throws(CaptureError) -> String {
    for dir in ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"] where access(dir + "/uprobe_events", W_OK) == 0 {
      return dir
    }
    if SystemInfo.isRoot, mount("nodev", "/sys/kernel/tracing", "tracefs", 0, nil) == 0,
      access("/sys/kernel/tracing/uprobe_events", W_OK) == 0
    {
      return "/sys/kernel/tracing"
    }
    throw .systemFile(
      path: "/sys/kernel/tracing/uprobe_events",
      detail: "not writable (mount tracefs there as root: mount -t tracefs nodev /sys/kernel/tracing)")
  }

  /// Deletes `perfsh_<pid>` groups whose process is gone (left by a killed perfsh).
  static func removeStale(root: String) {
    guard let text = SystemInfo.readSmallFile(root + "/uprobe_events") else { return }
    for line in text.split(separator: "\n") {
      // "p:perfsh_123/p0 /path:0x..." → group "perfsh_123", event "p0"
      guard let colon = line.firstIndex(of: ":"), let space = line.firstIndex(of: " ") else { continue }
      let event = line[line.index(after: colon)..<space]
      let parts = event.split(separator: "/")
      guard parts.count == 2, parts[0].hasPrefix("perfsh_"), let pid = Int32(parts[0].dropFirst(7)) else { continue }
      if pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH {
        try? append("-:\(event)\n", to: root + "/uprobe_events")
      }
    }
  }

  static func append(_ line: String, to path: String) throws(CaptureError) {
    let fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
    guard fd >= 0 else { throw .system(call: "open \(path)", errno: Errno(rawValue: errno)) }
    defer { close(fd) }
    let bytes = Array(line.utf8)
    let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    if n != bytes.count {
      throw .system(call: "write '\(line.trimmingWhitespace())' to \(path)", errno: Errno(rawValue: errno))
    }
  }
}
