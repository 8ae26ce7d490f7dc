import CBPF

/// The target set of oncpu.bpf and offcpu.bpf (one map when both run): an array indexed by
/// process id, so the check on every context switch and timer tick is one load, not a hash
/// lookup. Sized to the kernel's pid_max before load.
enum BPFTargetSet {
  /// Held at the exec gate: counted from its exec on (a `run` target before its exec).
  static let seeded = UInt8(PERFSH_TARGET_SEEDED)
  /// Counted (its forks too).
  static let counted = UInt8(PERFSH_TARGET_COUNTED)

  /// Entries the array needs: pid_max, or PID_MAX_LIMIT (2^22, the most a 64-bit kernel allows)
  /// when it cannot be read. One byte each: 32 KiB at the old default, 4 MiB at the limit.
  static func entries() -> Int {
    let limit = 1 << 22
    guard let pidMax = SystemInfo.pidMax(), pidMax > 0 else { return limit }
    return min(pidMax, limit)
  }

  /// Sizes `object`'s `targets` map before load.
  static func size(_ object: BPFObject) throws(CaptureError) {
    try object.setEntries(entries(), map: "targets")
  }

  /// Adds process `pid` to the loaded set in `state`.
  static func seed(_ object: BPFObject, pid: Int32, state: UInt8) throws(CaptureError) {
    try object.map("targets").update(UInt32(bitPattern: pid), state)
  }
}
