import Glibc
import Syscalls

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
  /// Throws with the real reason when tracefs is there but closed to this user.
  public init() throws(CaptureError) {
    root = try TracefsUprobes.mountPoint()
    group = "perfsh_\(getpid())"
    // Not our own pid's group: in one process (tests, the probe-cost calibration) several
    // tracers share it, and the start-up cleanup already took any a dead perfsh left.
    TracefsUprobes.removeStale(root: root, includingOwnPid: false)
  }

  /// Defines an entry (`isReturn` false) or return probe at `offset` in `path`; returns
  /// the tracepoint id to open with PERF_TYPE_TRACEPOINT.
  public mutating func define(name: String, path: String, offset: UInt64, isReturn: Bool) throws(CaptureError) -> UInt64
  {
    let line = "\(isReturn ? "r" : "p"):\(group)/\(name) \(path):0x\(String(offset, radix: 16))\n"
    try TracefsUprobes.append(line, to: root + "/uprobe_events")
    defined.append(name)
    let idPath = "\(root)/events/\(group)/\(name)/id"
    guard let text = SystemInfo.readSmallFile(idPath), let id = UInt64(text.trimmingWhitespace()) else {
      throw .systemFile(path: idPath, detail: "no tracepoint id for the new uprobe")
    }
    return id
  }

  /// Removes every definition made here (their events must be closed first). A definition the
  /// kernel still calls busy is tried again for up to `busyWait` seconds in all: an event closed
  /// just before stays referenced until the kernel has freed the BPF link on it (a deferred
  /// work item after an RCU grace period), so an immediate removal can fail although nothing
  /// uses the probe any more. Returns the definitions that could not be removed.
  @discardableResult
  public mutating func remove(busyWait: Double = 2) -> [String] {
    var left: [String] = []
    var waited = 0.0
    for name in defined.reversed() {
      while true {
        do throws(CaptureError) {
          try TracefsUprobes.append("-:\(group)/\(name)\n", to: root + "/uprobe_events")
        } catch {
          if case .system(_, let errno) = error, errno == .resourceBusy, waited < busyWait {
            usleep(10_000)
            waited += 0.01
            continue
          }
          left.append(name)
        }
        break
      }
    }
    defined.removeAll()
    return left
  }

  static func mountPoint() throws(CaptureError) -> String {
    var refused = false
    for dir in Tracefs.candidates {
      if access(dir + "/uprobe_events", W_OK) == 0 { return dir }
      if [EACCES, EPERM, EROFS].contains(Syscall.lastError.rawValue) { refused = true }
    }
    if SystemInfo.isRoot, Tracefs.mountStandard(), access("/sys/kernel/tracing/uprobe_events", W_OK) == 0 {
      return "/sys/kernel/tracing"
    }
    // As a normal user tracefs is usually mounted but closed (mode 0700): say that, not "mount it".
    if refused || !SystemInfo.isRoot {
      throw .systemFile(
        path: "/sys/kernel/tracing/uprobe_events",
        detail: "permission denied: tracing needs root (or write access to /sys/kernel/tracing/uprobe_events)")
    }
    throw .systemFile(
      path: "/sys/kernel/tracing/uprobe_events",
      detail: "not writable (mount tracefs there as root: mount -t tracefs nodev /sys/kernel/tracing)")
  }

  /// Uprobe definitions removed from one dead perfsh's group.
  public struct StaleGroup: Sendable, Equatable {
    /// The pid in the group's name (`perfsh_<pid>`).
    public var pid: Int32
    /// How many definitions were removed.
    public var removed: Int
    /// The name of the unrelated process that now has that pid, when the pid was reused.
    public var reusedBy: String?

    /// One line for standard error, e.g. "removed 12 uprobe definitions left by perfsh 4242, which was killed".
    public var message: String {
      let what = "removed \(removed) uprobe definition\(removed == 1 ? "" : "s") left by perfsh \(pid)"
      if let reusedBy { return what + ", which is gone (pid \(pid) is now '\(reusedBy)')" }
      return what + ", which was killed"
    }
  }

  /// Removes the groups of perfsh processes that died without removing them (SIGKILL),
  /// when tracefs is mounted and readable; cheap enough for every start. Mounts nothing.
  public static func removeStaleGroups() -> [StaleGroup] {
    for dir in ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"]
    where access(dir + "/uprobe_events", R_OK | W_OK) == 0 {
      return removeStale(root: dir, includingOwnPid: true)
    }
    return []
  }

  /// Deletes `perfsh_<pid>` groups whose process is gone or is no longer perfsh (a reused
  /// pid), and with `includingOwnPid` any named after this process (a dead perfsh had the
  /// pid): only at start-up, before this process defines anything. A live perfsh's groups
  /// are kept (the kernel also refuses to delete a definition whose events are open).
  @discardableResult
  static func removeStale(root: String, includingOwnPid: Bool) -> [StaleGroup] {
    guard let text = SystemInfo.readSmallFile(root + "/uprobe_events") else { return [] }
    var groups: [StaleGroup] = []
    var verdicts: [Int32: (stale: Bool, reusedBy: String?)] = [:]
    for line in text.split(separator: "\n") {
      // "p:perfsh_123/p0 /path:0x..." → group "perfsh_123", event "p0"
      guard let colon = line.firstIndex(of: ":"), let space = line.firstIndex(of: " "), colon < space else { continue }
      let event = line[line.index(after: colon)..<space]
      let parts = event.split(separator: "/")
      guard parts.count == 2, parts[0].hasPrefix("perfsh_"), let pid = Int32(parts[0].dropFirst(7)) else { continue }
      // A group named after this very process predates it (a dead perfsh had the pid):
      // nothing is defined yet when this runs, and it would make our own definitions fail.
      if pid == getpid() && !includingOwnPid { continue }
      let verdict = verdicts[pid] ?? (pid == getpid() ? (true, nil) : ownerVerdict(pid))
      verdicts[pid] = verdict
      guard verdict.stale, (try? append("-:\(event)\n", to: root + "/uprobe_events")) != nil else { continue }
      if let i = groups.firstIndex(where: { $0.pid == pid }) {
        groups[i].removed += 1
      } else {
        groups.append(StaleGroup(pid: pid, removed: 1, reusedBy: verdict.reusedBy))
      }
    }
    return groups
  }

  /// Whether `pid`'s group is stale: no such process (or a zombie), or a process that is
  /// not perfsh (its command name or executable does not start with "perfsh").
  private static func ownerVerdict(_ pid: Int32) -> (stale: Bool, reusedBy: String?) {
    guard SystemInfo.processIsRunning(pid) else { return (true, nil) }
    let name = SystemInfo.processName(pid)
    if name?.hasPrefix("perfsh") ?? true { return (false, nil) }  // unreadable: assume alive, keep
    if let exe = SystemInfo.processExecutable(pid), exe.split(separator: "/").last?.hasPrefix("perfsh") == true {
      return (false, nil)
    }
    return (true, name)
  }

  static func append(_ line: String, to path: String) throws(CaptureError) {
    let fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
    guard fd >= 0 else { throw .system(call: "open \(path)", errno: Syscall.lastError) }
    defer { close(fd) }
    let bytes = Array(line.utf8)
    let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    if n != bytes.count {
      throw .system(call: "write '\(line.trimmingWhitespace())' to \(path)", errno: Syscall.lastError)
    }
  }
}
