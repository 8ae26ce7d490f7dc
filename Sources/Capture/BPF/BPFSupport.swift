import BPFObjects
import Glibc

/// Whether perfsh can run its BPF programs here (kernel support, root or CAP_BPF+CAP_PERFMON,
/// no seccomp refusal): decided once by loading the small selftest object. `PERFSH_BPF=off`
/// turns every BPF path off (tests run both paths; people can rule BPF out).
public enum BPFSupport {
  /// The answer, with the reason when BPF cannot be used.
  public enum Availability: Sendable, Equatable {
    case available
    case unavailable(reason: String)
  }

  /// Checked once per process.
  public static let availability: Availability = check()

  /// True when BPF paths may be chosen.
  public static var isAvailable: Bool { availability == .available }

  private static func check() -> Availability {
    if let setting = getenv("PERFSH_BPF").map({ String(cString: $0) }), setting == "off" || setting == "0" {
      return .unavailable(reason: "turned off by PERFSH_BPF=\(setting)")
    }
    do {
      let object = try BPFObject(bytes: BPFObjects.selftest, name: "perfsh_selftest")
      try object.load()
      object.close()
      // Every capture program reads a task's pid at this offset (no CO-RE): a kernel without
      // BTF makes BPF unavailable here, so each path falls back and says why.
      _ = try KernelBTF.taskPIDOffset()
      return .available
    } catch {
      return .unavailable(reason: error.description)
    }
  }
}
