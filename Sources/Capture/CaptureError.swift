import Syscalls

/// Why a capture failed, with the context (pid, cpu, path, errno, offset) needed to say so.
public enum CaptureError: Error, Equatable, Sendable, CustomStringConvertible {
  /// perf_event_open was refused (EACCES/EPERM); `paranoid` is the sysctl value when readable.
  case permissionDenied(paranoid: Int?, errno: Errno)
  /// perf_event_open failed for another reason.
  case perfEventOpen(pid: Int32, cpu: Int32, errno: Errno)
  /// The requested frequency exceeds what the kernel allows.
  case frequencyTooHigh(requested: Int, maximum: Int)
  /// The requested frequency is not a positive number of samples per second.
  case badFrequency(Int)
  /// An ioctl on a perf event file failed.
  case ioctl(request: String, errno: Errno)
  /// Mapping a ring buffer failed.
  case mmap(cpu: Int32, bytes: Int, errno: Errno)
  /// The command was not found in PATH (or its path does not exist); shells exit 127.
  case commandNotFound(name: String)
  /// The command exists but cannot be executed; shells exit 126.
  case notExecutable(path: String, errno: Errno)
  /// The child could not change to the requested working directory.
  case changeDirectory(path: String, errno: Errno)
  /// A system call needed to launch or watch the target failed.
  case system(call: String, errno: Errno)
  /// A record is shorter than its type requires.
  case truncatedRecord(type: UInt32, size: Int, needed: Int)
  /// A record header announces a size that cannot be right.
  case badRecordSize(offset: Int, size: Int)
  /// The sample format asks for fields this parser does not understand.
  case unsupportedSampleType(bits: UInt64)
  /// A system file could not be read or parsed.
  case systemFile(path: String, detail: String)
  /// Opening, loading or attaching a BPF program failed; `log` holds libbpf's and the
  /// verifier's last words (may be empty).
  case bpf(operation: String, errno: Errno, log: String)
  /// The per-CPU sampler was asked for (`--sampler cpu`) where it cannot run; `reason` says why.
  case perCPUSamplerUnavailable(reason: String)

  /// The status a shell reports for this failure (127 not found, 126 not executable).
  public var exitStatus: Int32? {
    switch self {
    case .commandNotFound: return 127
    case .notExecutable: return 126
    default: return nil
    }
  }

  /// A lower-case human message.
  public var description: String {
    switch self {
    case .permissionDenied(let paranoid, let errno):
      return Self.permissionMessage(paranoid: paranoid, errno: errno, isRoot: SystemInfo.isRoot)
    case .perfEventOpen(let pid, let cpu, let errno):
      return "perf_event_open for pid \(pid) on cpu \(cpu) failed: \(errno.message)"
    case .frequencyTooHigh(let requested, let maximum):
      return "sampling frequency \(requested) Hz is above kernel.perf_event_max_sample_rate (\(maximum) Hz)"
    case .badFrequency(let hz):
      return "sampling frequency must be at least 1 Hz, not \(hz)"
    case .ioctl(let request, let errno):
      return "ioctl \(request) on a perf event failed: \(errno.message)"
    case .mmap(let cpu, let bytes, let errno):
      return "mapping the \(bytes)-byte ring buffer of cpu \(cpu) failed: \(errno.message)"
        + (errno == .notPermitted ? " (raise kernel.perf_event_mlock_kb)" : "")
    case .commandNotFound(let name):
      return "command not found: \(name)"
    case .notExecutable(let path, let errno):
      return "cannot execute \(path): \(errno.message)"
    case .changeDirectory(let path, let errno):
      return "cannot change directory to \(path): \(errno.message)"
    case .system(let call, let errno):
      return "\(call) failed: \(errno.message)"
    case .truncatedRecord(let type, let size, let needed):
      return "perf record of type \(type) is \(size) bytes, needs at least \(needed)"
    case .badRecordSize(let offset, let size):
      return "perf record at offset \(offset) has impossible size \(size)"
    case .unsupportedSampleType(let bits):
      return "sample type bits 0x\(String(bits, radix: 16)) are not supported"
    case .systemFile(let path, let detail):
      return "cannot read \(path): \(detail)"
    case .bpf(let operation, let errno, let log):
      let detail = log.split(separator: "\n").suffix(3).joined(separator: "; ")
      return "BPF \(operation) failed: \(errno.message)" + (detail.isEmpty ? "" : " (\(detail))")
    case .perCPUSamplerUnavailable(let reason):
      return "the per-CPU sampler (--sampler cpu) cannot run here: \(reason); use --sampler task or auto"
    }
  }

  /// What to tell a person whose perf_event_open was refused, and how to fix it.
  public static func permissionMessage(paranoid: Int?, errno: Errno, isRoot: Bool) -> String {
    let level = paranoid.map { "kernel.perf_event_paranoid is \($0)" } ?? "kernel.perf_event_paranoid is unknown"
    if isRoot {
      // Root passes the paranoid check, so something else refused: usually a container's
      // seccomp profile or a security module.
      return "perf events are not permitted (\(errno.message)) although perfsh runs as root "
        + "(\(level)): a seccomp filter or security policy blocks perf_event_open; in a container, "
        + "allow it (e.g. docker --cap-add PERFMON --security-opt seccomp=unconfined)"
    }
    return "perf events are not permitted (\(errno.message)): \(level); "
      + "run as root, grant CAP_PERFMON, or lower it with `sysctl kernel.perf_event_paranoid=1`"
  }
}
