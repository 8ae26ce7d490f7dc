import Glibc

/// Where the kernel's tracing filesystem is: tracepoint ids and formats (`events/…`), uprobe
/// definitions. A fresh machine may not have it mounted until something mounts it; as root
/// perfsh mounts it at the standard place the first time any of its users asks, so the BPF
/// tracepoints, the off-CPU wakeups and the uprobes all find it on the first run.
enum Tracefs {
  /// The two places the kernel's tracing files are found, newest first.
  static let candidates = ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"]

  /// The first candidate whose `events` directory is readable; as root, mounts tracefs at
  /// `/sys/kernel/tracing` when none is. Nil when there is none (not root, or the mount failed).
  static func root() -> String? {
    if let found = candidates.first(where: { access($0 + "/events", R_OK) == 0 }) { return found }
    guard SystemInfo.isRoot, mountStandard() else { return nil }
    return "/sys/kernel/tracing"
  }

  /// Mounts tracefs at `/sys/kernel/tracing` (root only); true when its files are there after.
  @discardableResult
  static func mountStandard() -> Bool {
    _ = mount("nodev", "/sys/kernel/tracing", "tracefs", 0, nil)
    return access("/sys/kernel/tracing/events", R_OK) == 0
  }
}
