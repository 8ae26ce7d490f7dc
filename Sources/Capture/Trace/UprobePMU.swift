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
    var attr = TraceEventAttributes.make(
      type: type, config: isReturn ? (UInt64(1) << UInt64(retprobeBit)) : 0, wakeupBytes: wakeupBytes)
    attr.config1 = UInt64(UInt(bitPattern: pathPointer))
    attr.config2 = offset
    attr.inherit = 0
    return attr
  }
}

/// The perf_event_attr shared by every trace event: a sample per hit with the event id,
/// pid/tid and a CLOCK_MONOTONIC time; inherited; enabled at exec.
enum TraceEventAttributes {
  /// The attributes of a tracefs-defined uprobe event with tracepoint `id`.
  static func tracepoint(id: UInt64, wakeupBytes: Int) -> perf_event_attr {
    make(type: UInt32(PERF_TYPE_TRACEPOINT.rawValue), config: id, wakeupBytes: wakeupBytes)
  }

  /// The ring owner of a CPU: a dummy software event that writes a PERF_RECORD_SWITCH each
  /// time a traced thread leaves or gets a CPU, with tid and time (sample_id_all).
  static func switches(wakeupBytes: Int) -> perf_event_attr {
    var attr = make(
      type: UInt32(PERF_TYPE_SOFTWARE.rawValue), config: UInt64(PERF_COUNT_SW_DUMMY.rawValue), wakeupBytes: wakeupBytes)
    attr.sample_period = 0
    attr.context_switch = 1
    attr.sample_id_all = 1
    return attr
  }

  /// `attr` also sampling the user registers AX and R14 at each hit (Go probes: the
  /// goroutine in R14, `runtime.execute`'s goroutine argument in AX).
  static func withGoRegisters(_ attr: perf_event_attr) -> perf_event_attr {
    var a = attr
    a.sample_type |= SampleType.regsUser.rawValue
    a.sample_regs_user = TraceRecordDecoder.goRegisterMask
    return a
  }

  static func make(type: UInt32, config: UInt64, wakeupBytes: Int) -> perf_event_attr {
    var attr = perf_event_attr()
    attr.type = type
    attr.size = UInt32(MemoryLayout<perf_event_attr>.size)
    attr.config = config
    attr.sample_period = 1
    attr.sample_type = TraceRecordDecoder.sampleType
    attr.disabled = 1
    attr.inherit = 1
    attr.enable_on_exec = 1
    attr.use_clockid = 1
    attr.clockid = Int32(CLOCK_MONOTONIC)
    attr.watermark = 1
    attr.wakeup_watermark = UInt32(max(1, wakeupBytes))
    return attr
  }
}
