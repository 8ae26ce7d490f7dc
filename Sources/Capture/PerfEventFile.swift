import CPerfEvent
import Glibc
import Syscalls

/// An open perf event (the file descriptor perf_event_open returns); closed on deinit.
public struct PerfEventFile: ~Copyable {
  /// The raw descriptor, for poll(2) and mmap(2); owned by this value.
  public let descriptor: Int32

  /// The CPU the event counts on (-1 for any), kept for messages.
  public let cpu: Int32

  /// Opens an event with perf_event_open(2).
  ///
  /// EACCES and EPERM become `.permissionDenied` with the current paranoid level.
  public static func open(
    attributes: perf_event_attr, pid: Int32, cpu: Int32, groupDescriptor: Int32 = -1,
    flags: UInt = UInt(PERF_FLAG_FD_CLOEXEC)
  ) throws(CaptureError) -> PerfEventFile {
    var attr = attributes
    let fd = perfsh_perf_event_open(&attr, pid, cpu, groupDescriptor, flags)
    guard fd >= 0 else {
      let err = Syscall.lastError
      if err == .permissionDenied || err == .notPermitted {
        throw .permissionDenied(paranoid: SystemInfo.perfEventParanoid(), errno: err)
      }
      throw .perfEventOpen(pid: pid, cpu: cpu, errno: err)
    }
    return PerfEventFile(descriptor: fd, cpu: cpu)
  }

  private init(descriptor: Int32, cpu: Int32) {
    self.descriptor = descriptor
    self.cpu = cpu
  }

  /// PERF_EVENT_IOC_ENABLE: starts counting.
  public func enable() throws(CaptureError) {
    try Syscall.zeroOrErrno(perfsh_perf_event_enable(descriptor)) { .ioctl(request: "enable", errno: $0) }
  }

  /// PERF_EVENT_IOC_DISABLE: stops counting; records already written stay in the ring.
  public func disable() throws(CaptureError) {
    try Syscall.zeroOrErrno(perfsh_perf_event_disable(descriptor)) { .ioctl(request: "disable", errno: $0) }
  }

  /// PERF_EVENT_IOC_SET_OUTPUT: sends this event's records into `target`'s ring buffer.
  public func setOutput(to target: borrowing PerfEventFile) throws(CaptureError) {
    try Syscall.zeroOrErrno(perfsh_perf_event_set_output(descriptor, target.descriptor)) {
      .ioctl(request: "set-output", errno: $0)
    }
  }

  /// The kernel's id of this event, which PERF_SAMPLE_IDENTIFIER puts in each record.
  /// The corresponding C call is `ioctl(fd, PERF_EVENT_IOC_ID, &id)`.
  public func eventID() throws(CaptureError) -> UInt64 {
    var id: UInt64 = 0
    try Syscall.zeroOrErrno(perfsh_perf_event_id(descriptor, &id)) {
      .ioctl(request: "PERF_EVENT_IOC_ID", errno: $0)
    }
    return id
  }

  /// The event's count (read_format 0): for an inherited event, its own hits plus those of
  /// every exited child task; nil when the read fails.
  public func count() -> UInt64? {
    var value: UInt64 = 0
    let n = withUnsafeMutableBytes(of: &value) { Glibc.read(descriptor, $0.baseAddress, 8) }
    return n == 8 ? value : nil
  }

  deinit { Glibc.close(descriptor) }
}
