/// PERF_RECORD_* type numbers from <linux/perf_event.h>.
public enum PerfRecordType {
  /// PERF_RECORD_MMAP.
  public static let mmap: UInt32 = 1
  /// PERF_RECORD_LOST.
  public static let lost: UInt32 = 2
  /// PERF_RECORD_COMM.
  public static let comm: UInt32 = 3
  /// PERF_RECORD_EXIT.
  public static let exit: UInt32 = 4
  /// PERF_RECORD_THROTTLE.
  public static let throttle: UInt32 = 5
  /// PERF_RECORD_UNTHROTTLE.
  public static let unthrottle: UInt32 = 6
  /// PERF_RECORD_FORK.
  public static let fork: UInt32 = 7
  /// PERF_RECORD_SAMPLE.
  public static let sample: UInt32 = 9
  /// PERF_RECORD_MMAP2.
  public static let mmap2: UInt32 = 10
  /// PERF_RECORD_SWITCH: the task of a per-task event left or got a CPU (`attr.context_switch`).
  public static let contextSwitch: UInt32 = 14
}

/// `perf_event_header.misc` bits the converter looks at.
public enum PerfRecordMisc {
  /// Mask of the cpumode bits.
  public static let cpumodeMask: UInt16 = 7
  /// cpumode: the sample was taken in the kernel.
  public static let kernel: UInt16 = 1
  /// cpumode: the sample was taken in user space.
  public static let user: UInt16 = 2
  /// On COMM: the name changed because of exec.
  public static let commExec: UInt16 = 1 << 13
  /// On MMAP: a data (non-executable) mapping.
  public static let mmapData: UInt16 = 1 << 13
  /// On MMAP2: the maj/min/ino fields hold a build id instead.
  public static let mmapBuildID: UInt16 = 1 << 14
  /// On SWITCH: the task left the CPU (else it got the CPU).
  public static let switchOut: UInt16 = 1 << 13
  /// On a switch-out SWITCH: the task was preempted while still runnable (Linux 4.17+).
  public static let switchOutPreempt: UInt16 = 1 << 14
}

/// Callchain context markers: entries at or above `(u64)-4095` switch context, not frames.
public enum PerfContext {
  /// PERF_CONTEXT_HV: the following entries are in this context.
  public static let hypervisor: UInt64 = UInt64(bitPattern: -32)
  /// PERF_CONTEXT_KERNEL: the following entries are in this context.
  public static let kernel: UInt64 = UInt64(bitPattern: -128)
  /// PERF_CONTEXT_USER: the following entries are in this context.
  public static let user: UInt64 = UInt64(bitPattern: -512)
  /// PERF_CONTEXT_GUEST_KERNEL: the following entries are in this context.
  public static let guestKernel: UInt64 = UInt64(bitPattern: -2176)
  /// PERF_CONTEXT_GUEST_USER: the following entries are in this context.
  public static let guestUser: UInt64 = UInt64(bitPattern: -2560)
  /// Entries >= this value are markers.
  public static let max: UInt64 = UInt64(bitPattern: -4095)
}

/// The sample_id fields (`attr.sample_id_all`) that say who and when a record belongs to.
public struct SampleID: Hashable, Sendable {
  /// Process id.
  public var pid: Int32?
  /// Thread id.
  public var tid: Int32?
  /// Timestamp (CLOCK_MONOTONIC nanoseconds with the sampler).
  public var time: UInt64?
  /// CPU the record was written on.
  public var cpu: UInt32?
  /// Creates a value from its parts.
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
  /// The words' bytes (a multiple of 8).
  public let bytes: UnsafeRawBufferPointer
  /// Creates a value from its parts.
  public init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }
  /// Always 0.
  public var startIndex: Int { 0 }
  /// Number of whole words.
  public var endIndex: Int { bytes.count / 8 }
  /// The word at index `i`.
  public subscript(i: Int) -> UInt64 {
    UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))
  }
}

/// A PERF_RECORD_SAMPLE. Fields absent from the format are nil / empty.
///
/// `callchain`, `userRegisters` and `userStack` point into the parsed bytes (see `RawWords`).
public struct PerfSample {
  /// The header's misc bits (cpumode, exec and build-id flags).
  public var misc: UInt16
  /// Instruction pointer at the sample.
  public var ip: UInt64?
  /// Process id.
  public var pid: Int32?
  /// Thread id.
  public var tid: Int32?
  /// Timestamp (CLOCK_MONOTONIC nanoseconds with the sampler).
  public var time: UInt64?
  /// CPU the record was written on.
  public var cpu: UInt32?
  /// Period of the sample (nanoseconds for cpu-clock).
  public var period: UInt64?
  /// Kernel-collected call chain, leaf first, with PERF_CONTEXT_* markers.
  public var callchain: RawWords?
  /// PERF_SAMPLE_REGS_USER: the ABI word (0 none, 1 x86-32, 2 x86-64) and the registers.
  public var userRegistersABI: UInt64?
  /// The user registers of `sample_regs_user`, in mask bit order.
  public var userRegisters: RawWords?
  /// PERF_SAMPLE_STACK_USER: the valid part (dyn_size bytes) of the copied user stack.
  public var userStack: UnsafeRawBufferPointer?
  /// PERF_SAMPLE_RAW: a tracepoint's fields as the kernel laid them out (its tracefs format).
  public var raw: UnsafeRawBufferPointer?
}

/// A PERF_RECORD_MMAP or MMAP2: a file (or anonymous region) mapped into a process.
public struct MmapRecord: Hashable, Sendable {
  /// The header's misc bits (cpumode, exec and build-id flags).
  public var misc: UInt16
  /// Process id.
  public var pid: Int32
  /// Thread id.
  public var tid: Int32
  /// First address of the range.
  public var start: UInt64
  /// Length in bytes.
  public var length: UInt64
  /// File offset mapped at `start`, in bytes.
  public var pageOffset: UInt64
  /// Path the kernel reported.
  public var filename: String
  /// MMAP2 protection bits (PROT_EXEC = 4); nil for MMAP records.
  public var protection: UInt32?
  /// Lower-case hex build id when the kernel supplied one (MMAP2 with build_id).
  public var buildID: String?
  /// Who and when: the sample_id trailer.
  public var sampleID: SampleID

  /// Whether the mapping holds code (MMAP2: PROT_EXEC; MMAP: not flagged as data).
  public var isExecutable: Bool {
    if let protection { return protection & 4 != 0 }
    return misc & PerfRecordMisc.mmapData == 0
  }
}

/// A PERF_RECORD_COMM: a thread's name changed (`isExec` when because of exec).
public struct CommRecord: Hashable, Sendable {
  /// Process id.
  public var pid: Int32
  /// Thread id.
  public var tid: Int32
  /// The new thread name.
  public var name: String
  /// True when the name changed because of exec.
  public var isExec: Bool
  /// Who and when: the sample_id trailer.
  public var sampleID: SampleID
}

/// A PERF_RECORD_FORK or EXIT: a task was created or ended.
public struct TaskRecord: Hashable, Sendable {
  /// Process id.
  public var pid: Int32
  /// Parent process id.
  public var parentPID: Int32
  /// Thread id.
  public var tid: Int32
  /// Parent thread id.
  public var parentTID: Int32
  /// Timestamp (CLOCK_MONOTONIC nanoseconds with the sampler).
  public var time: UInt64
  /// Who and when: the sample_id trailer.
  public var sampleID: SampleID
}

/// A PERF_RECORD_LOST: the kernel dropped `count` records because the ring was full.
public struct LostRecord: Hashable, Sendable {
  /// Event id.
  public var id: UInt64
  /// Records dropped.
  public var count: UInt64
  /// Who and when: the sample_id trailer.
  public var sampleID: SampleID
}

/// A PERF_RECORD_THROTTLE or UNTHROTTLE: the kernel slowed sampling (interrupts took too long).
public struct ThrottleRecord: Hashable, Sendable {
  /// Timestamp (CLOCK_MONOTONIC nanoseconds with the sampler).
  public var time: UInt64
  /// True for THROTTLE, false for UNTHROTTLE.
  public var isThrottle: Bool
  /// Who and when: the sample_id trailer.
  public var sampleID: SampleID
}

/// A PERF_RECORD_SWITCH: the task in `sampleID` left the CPU or got it back.
public struct SwitchRecord: Hashable, Sendable {
  /// True when the task left the CPU; false when it starts running again.
  public var isOut: Bool
  /// On a switch-out: the task was still runnable (preempted), not blocked.
  public var isPreempted: Bool
  /// Who and when: the sample_id trailer.
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
  /// A context switch of a traced task (off-CPU capture).
  case contextSwitch(SwitchRecord)
  /// A record type the converter does not use (kept so callers can count it).
  case other(type: UInt32)
}
