import CPerfEvent
import Glibc

/// The kernel's `uprobe` PMU: its dynamic event type and the config bit that makes a probe
/// a return probe, both read from sysfs (they differ between kernels).
public struct UprobePMU: Sendable, Equatable {
  /// `perf_event_attr.type` for uprobes, from `/sys/bus/event_source/devices/uprobe/type`.
  public var type: UInt32
  /// Bit of `config` that selects a uretprobe, from `format/retprobe` (`config:0`).
  public var retprobeBit: UInt32

  static let directory = "/sys/bus/event_source/devices/uprobe"

  /// Creates a value from its parts.
  public init(type: UInt32, retprobeBit: UInt32) {
    self.type = type
    self.retprobeBit = retprobeBit
  }

  /// Reads the PMU description of the running kernel.
  public static func current() throws(CaptureError) -> UprobePMU {
    let typePath = directory + "/type"
    guard let text = SystemInfo.readSmallFile(typePath) else {
      throw .systemFile(path: typePath, detail: "missing (the kernel lacks CONFIG_UPROBE_EVENTS)")
    }
    guard let type = UInt32(text.trimmingWhitespace()) else {
      throw .systemFile(path: typePath, detail: "unexpected contents \"\(text)\"")
    }
    let formatPath = directory + "/format/retprobe"
    guard let format = SystemInfo.readSmallFile(formatPath) else {
      throw .systemFile(
        path: formatPath, detail: "missing (the kernel cannot open return probes through perf_event_open)")
    }
    guard let bit = parseConfigBit(format) else {
      throw .systemFile(path: formatPath, detail: "unexpected contents \"\(format)\"")
    }
    return UprobePMU(type: type, retprobeBit: bit)
  }

  /// Parses a single-bit sysfs format such as `config:0`; nil for ranges or other fields.
  public static func parseConfigBit(_ text: String) -> UInt32? {
    let t = text.trimmingWhitespace()
    guard t.hasPrefix("config:") else { return nil }
    let value = t.dropFirst("config:".count)
    guard !value.contains("-"), let bit = UInt32(value), bit < 64 else { return nil }
    return bit
  }

  /// The attributes of one probe of this PMU: entry or return at `offset` in the file whose
  /// path is at `pathPointer` (valid until perf_event_open returns). Not inherited: the
  /// kernel would re-read the pointer in the target at every clone (see `TracefsUprobes`).
  func attributes(pathPointer: UnsafePointer<CChar>, offset: UInt64, isReturn: Bool, wakeupBytes: Int)
    -> perf_event_attr
  {
    var attr = PerfEventAttributes.trace(
      type: type, config: isReturn ? (UInt64(1) << UInt64(retprobeBit)) : 0, wakeupBytes: wakeupBytes)
    attr.config1 = UInt64(UInt(bitPattern: pathPointer))
    attr.config2 = offset
    attr.inherit = 0
    return attr
  }
}
