/// PERF_RECORD_* type numbers from <linux/perf_event.h>.
public enum PerfRecordType {
  public static let mmap: UInt32 = 1
  public static let lost: UInt32 = 2
  public static let comm: UInt32 = 3
  public static let exit: UInt32 = 4
  public static let throttle: UInt32 = 5
  public static let unthrottle: UInt32 = 6
  public static let fork: UInt32 = 7
  public static let sample: UInt32 = 9
  public static let mmap2: UInt32 = 10
}

/// `perf_event_header.misc` bits the converter looks at.
public enum PerfRecordMisc {
  public static let cpumodeMask: UInt16 = 7
  public static let kernel: UInt16 = 1
  public static let user: UInt16 = 2
  /// On COMM: the name changed because of exec.
  public static let commExec: UInt16 = 1 << 13
  /// On MMAP: a data (non-executable) mapping.
  public static let mmapData: UInt16 = 1 << 13
  /// On MMAP2: the maj/min/ino fields hold a build id instead.
  public static let mmapBuildID: UInt16 = 1 << 14
}

/// Callchain context markers: entries at or above `(u64)-4095` switch context, not frames.
public enum PerfContext {
  public static let hypervisor: UInt64 = UInt64(bitPattern: -32)
  public static let kernel: UInt64 = UInt64(bitPattern: -128)
  public static let user: UInt64 = UInt64(bitPattern: -512)
  public static let guestKernel: UInt64 = UInt64(bitPattern: -2176)
  public static let guestUser: UInt64 = UInt64(bitPattern: -2560)
  /// Entries >= this value are markers.
  public static let max: UInt64 = UInt64(bitPattern: -4095)
}

/// The sample_id fields (`attr.sample_id_all`) that say who and when a record belongs to.
public struct SampleID: Hashable, Sendable {
  public var pid: Int32?
  public var tid: Int32?
  public var time: UInt64?
  public var cpu: UInt32?
  public init(pid: Int32? = nil, tid: Int32? = nil, time: UInt64? = nil, cpu: UInt32? = nil) {
    self.pid = pid
    self.tid = tid
    self.time = time
    self.cpu = cpu
  }
}

/// A sequence of u64 words read in place from record bytes (unaligned, little-endian).
///
/// It points into the bytes the record was parsed from and is valid only while they are;
/// this keeps sample parsing free of allocations.
public struct RawWords: RandomAccessCollection {
  public let bytes: UnsafeRawBufferPointer
  public init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }
  public var startIndex: Int { 0 }
  public var endIndex: Int { bytes.count / 8 }
  public subscript(i: Int) -> UInt64 {
    UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))
  }
}

/// A PERF_RECORD_SAMPLE. Fields absent from the format are nil / empty.
///
/// `callchain`, `userRegisters` and `userStack` point into the parsed bytes (see `RawWords`).
public struct PerfSample {
  public var misc: UInt16
  public var ip: UInt64?
  public var pid: Int32?
  public var tid: Int32?
  public var time: UInt64?
  public var cpu: UInt32?
  public var period: UInt64?
  /// Kernel-collected call chain, leaf first, with PERF_CONTEXT_* markers.
  public var callchain: RawWords?
  /// PERF_SAMPLE_REGS_USER: the ABI word (0 none, 1 x86-32, 2 x86-64) and the registers.
  public var userRegistersABI: UInt64?
  public var userRegisters: RawWords?
  /// PERF_SAMPLE_STACK_USER: the valid part (dyn_size bytes) of the copied user stack.
  public var userStack: UnsafeRawBufferPointer?
}

/// A PERF_RECORD_MMAP or MMAP2: a file (or anonymous region) mapped into a process.
public struct MmapRecord: Hashable, Sendable {
  public var misc: UInt16
  public var pid: Int32
  public var tid: Int32
  public var start: UInt64
  public var length: UInt64
  public var pageOffset: UInt64
  public var filename: String
  /// MMAP2 protection bits (PROT_EXEC = 4); nil for MMAP records.
  public var protection: UInt32?
  /// Lower-case hex build id when the kernel supplied one (MMAP2 with build_id).
  public var buildID: String?
  public var sampleID: SampleID

  /// Whether the mapping holds code (MMAP2: PROT_EXEC; MMAP: not flagged as data).
  public var isExecutable: Bool {
    if let protection { return protection & 4 != 0 }
    return misc & PerfRecordMisc.mmapData == 0
  }
}

/// A PERF_RECORD_COMM: a thread's name changed (`isExec` when because of exec).
public struct CommRecord: Hashable, Sendable {
  public var pid: Int32
  public var tid: Int32
  public var name: String
  public var isExec: Bool
  public var sampleID: SampleID
}

/// A PERF_RECORD_FORK or EXIT: a task was created or ended.
public struct TaskRecord: Hashable, Sendable {
  public var pid: Int32
  public var parentPID: Int32
  public var tid: Int32
  public var parentTID: Int32
  public var time: UInt64
  public var sampleID: SampleID
}

/// A PERF_RECORD_LOST: the kernel dropped `count` records because the ring was full.
public struct LostRecord: Hashable, Sendable {
  public var id: UInt64
  public var count: UInt64
  public var sampleID: SampleID
}

/// A PERF_RECORD_THROTTLE or UNTHROTTLE: the kernel slowed sampling (interrupts took too long).
public struct ThrottleRecord: Hashable, Sendable {
  public var time: UInt64
  public var isThrottle: Bool
  public var sampleID: SampleID
}

/// One parsed perf record.
public enum PerfRecord {
  case sample(PerfSample)
  case mmap(MmapRecord)
  case comm(CommRecord)
  case fork(TaskRecord)
  case exit(TaskRecord)
  case lost(LostRecord)
  case throttle(ThrottleRecord)
  /// A record type the converter does not use (kept so callers can count it).
  case other(type: UInt32)
}
