import Capture

/// Where `run --trace` pairs entries with returns and adds up calls (setting `tracebackend`).
public enum TraceBackend: String, Sendable, CaseIterable {
  /// BPF when it can run here and the probes allow it, else the ring path.
  case auto
  /// Always BPF (an error when it cannot be used).
  case bpf
  /// Always ring records paired in perfsh.
  case ring

  /// The path chosen for a traced run: BPF or not, and why, in words for `info` and errors.
  struct Choice: Sendable, Equatable {
    var usesBPF: Bool
    var reason: String
  }

  /// Decides the path from the setting, BPF's availability here, why the probes cannot go
  /// through BPF (nil: they can) and what else needs per-hit records (nil: nothing).
  /// Throws when `bpf` is asked for and cannot be used (`command` starts the message).
  func choose(
    availability: BPFSupport.Availability, unsupported: String?, needsRecords: String?, command: String = "run"
  ) throws(ShellError) -> Choice {
    switch self {
    case .ring:
      return Choice(usesBPF: false, reason: "tracebackend ring")
    case .bpf:
      if case .unavailable(let why) = availability {
        throw .command(.traceBackendRefused(command: command, reason: "BPF cannot be used here: \(why)"))
      }
      if let unsupported {
        throw .command(.traceBackendRefused(command: command, reason: "\(unsupported); set tracebackend ring or auto"))
      }
      if let needsRecords {
        throw .command(.traceBackendRefused(command: command, reason: "\(needsRecords); set tracebackend ring or auto"))
      }
      return Choice(usesBPF: true, reason: "tracebackend bpf")
    case .auto:
      if case .unavailable(let why) = availability { return Choice(usesBPF: false, reason: "BPF unavailable: \(why)") }
      if let unsupported { return Choice(usesBPF: false, reason: unsupported) }
      if let needsRecords { return Choice(usesBPF: false, reason: needsRecords) }
      return Choice(usesBPF: true, reason: "BPF available, native code")
    }
  }
}
