/// The PERF_SAMPLE_* bits of `perf_event_attr.sample_type`: which fields a sample carries.
public struct SampleType: OptionSet, Hashable, Sendable {
  /// The PERF_SAMPLE_* bits.
  public var rawValue: UInt64
  /// Creates a value from its parts.
  public init(rawValue: UInt64) { self.rawValue = rawValue }

  /// PERF_SAMPLE_IP.
  public static let ip = SampleType(rawValue: 1 << 0)
  /// PERF_SAMPLE_TID.
  public static let tid = SampleType(rawValue: 1 << 1)
  /// PERF_SAMPLE_TIME.
  public static let time = SampleType(rawValue: 1 << 2)
  /// PERF_SAMPLE_ADDR.
  public static let addr = SampleType(rawValue: 1 << 3)
  /// PERF_SAMPLE_READ.
  public static let read = SampleType(rawValue: 1 << 4)
  /// PERF_SAMPLE_CALLCHAIN.
  public static let callchain = SampleType(rawValue: 1 << 5)
  /// PERF_SAMPLE_ID.
  public static let id = SampleType(rawValue: 1 << 6)
  /// PERF_SAMPLE_CPU.
  public static let cpu = SampleType(rawValue: 1 << 7)
  /// PERF_SAMPLE_PERIOD.
  public static let period = SampleType(rawValue: 1 << 8)
  /// PERF_SAMPLE_STREAM_ID.
  public static let streamID = SampleType(rawValue: 1 << 9)
  /// PERF_SAMPLE_RAW.
  public static let raw = SampleType(rawValue: 1 << 10)
  /// PERF_SAMPLE_BRANCH_STACK.
  public static let branchStack = SampleType(rawValue: 1 << 11)
  /// PERF_SAMPLE_REGS_USER.
  public static let regsUser = SampleType(rawValue: 1 << 12)
  /// PERF_SAMPLE_STACK_USER.
  public static let stackUser = SampleType(rawValue: 1 << 13)
  /// PERF_SAMPLE_WEIGHT.
  public static let weight = SampleType(rawValue: 1 << 14)
  /// PERF_SAMPLE_DATA_SRC.
  public static let dataSource = SampleType(rawValue: 1 << 15)
  /// PERF_SAMPLE_IDENTIFIER.
  public static let identifier = SampleType(rawValue: 1 << 16)
  /// PERF_SAMPLE_TRANSACTION.
  public static let transaction = SampleType(rawValue: 1 << 17)

  /// The fields the CPU sampler asks for with frame-pointer call chains.
  public static let cpuSampling: SampleType = [.ip, .tid, .time, .cpu, .period, .callchain]

  /// The fields of off-CPU capture's wakeup tracepoint: who woke (pid, tid), when, and the raw fields.
  public static let waking: SampleType = [.tid, .time, .raw]

  /// Every bit `PerfRecordParser` can lay out.
  public static let supported: SampleType = [
    .ip, .tid, .time, .addr, .callchain, .id, .cpu, .period, .streamID, .raw, .regsUser, .stackUser,
    .weight, .dataSource, .identifier, .transaction,
  ]
}

/// How the records of one event are laid out, taken from its `perf_event_attr`.
public struct SampleFormat: Hashable, Sendable {
  /// Fields present in SAMPLE records.
  public var sampleType: SampleType
  /// Whether non-sample records end with a sample_id trailer (`attr.sample_id_all`).
  public var sampleIDAll: Bool
  /// Number of registers in a REGS_USER block: popcount of `attr.sample_regs_user`.
  public var userRegisterCount: Int

  /// A format; throws when `sampleType` has bits the parser cannot lay out.
  public init(sampleType: SampleType, sampleIDAll: Bool = true, userRegisterMask: UInt64 = 0) throws(CaptureError) {
    let unsupported = sampleType.rawValue & ~SampleType.supported.rawValue
    if unsupported != 0 { throw .unsupportedSampleType(bits: unsupported) }
    self.sampleType = sampleType
    self.sampleIDAll = sampleIDAll
    self.userRegisterCount = userRegisterMask.nonzeroBitCount
  }

  /// The format of the CPU sampler's events.
  public static let cpuSampling = SampleFormat(uncheckedSampleType: .cpuSampling, sampleIDAll: true)

  private init(uncheckedSampleType: SampleType, sampleIDAll: Bool) {
    self.sampleType = uncheckedSampleType
    self.sampleIDAll = sampleIDAll
    self.userRegisterCount = 0
  }

  /// Bytes of the sample_id trailer on non-sample records (0 without sample_id_all).
  public var sampleIDTrailerBytes: Int {
    guard sampleIDAll else { return 0 }
    var n = 0
    if sampleType.contains(.tid) { n += 8 }
    if sampleType.contains(.time) { n += 8 }
    if sampleType.contains(.id) { n += 8 }
    if sampleType.contains(.streamID) { n += 8 }
    if sampleType.contains(.cpu) { n += 8 }
    if sampleType.contains(.identifier) { n += 8 }
    return n
  }

  /// Offset of the time field in a SAMPLE record (after the 8-byte header), when present.
  var sampleTimeOffset: Int? {
    guard sampleType.contains(.time) else { return nil }
    var offset = 8
    if sampleType.contains(.identifier) { offset += 8 }
    if sampleType.contains(.ip) { offset += 8 }
    if sampleType.contains(.tid) { offset += 8 }
    return offset
  }

  /// Offset of the time field counted back from the end of a non-sample record, when present.
  var trailerTimeOffsetFromEnd: Int? {
    guard sampleIDAll, sampleType.contains(.time) else { return nil }
    let tidBytes = sampleType.contains(.tid) ? 8 : 0
    return sampleIDTrailerBytes - tidBytes
  }
}
