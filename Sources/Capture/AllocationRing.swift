import CAllocRing
import Glibc
import Syscalls

/// One record of the allocation recorder, copied out of the shared ring.
public struct AllocationRecord: Sendable, Equatable {
  /// What a record says (see `perfsh_alloc_kind` in CAllocRing.h).
  public enum Kind: Sendable, Equatable {
    /// A process loaded the recorder (at start or after exec).
    case hello
    /// A sampled allocation.
    case allocation
    /// A sampled block was freed.
    case free
  }
  public var kind: Kind
  public var pid: Int32
  public var tid: Int32
  /// CLOCK_MONOTONIC nanoseconds, the clock perfsh's perf events use.
  public var time: UInt64
  public var address: UInt64
  /// Requested bytes (allocations only).
  public var size: UInt64
  /// Return addresses, innermost (the caller of malloc) first.
  public var frames: [UInt64]

  public init(kind: Kind, pid: Int32, tid: Int32, time: UInt64, address: UInt64, size: UInt64, frames: [UInt64] = []) {
    self.kind = kind
    self.pid = pid
    self.tid = tid
    self.time = time
    self.address = address
    self.size = size
    self.frames = frames
  }
}

/// The shared-memory ring the recorder writes into: a memfd perfsh creates and maps, whose
/// descriptor number the target finds in `PERFSH_ALLOC_FD`. Owns the descriptor and the mapping.
public struct AllocationRing: ~Copyable {
  private var descriptor: Int32
  private let base: UnsafeMutableRawPointer
  private let bytes: Int
  /// Records of a kind this perfsh does not know (skipped, counted, shown in the run's notes).
  public private(set) var unreadable = 0

  /// Creates a ring of `slots` records (a power of two) for sampling every `rate` bytes on average.
  ///
  /// The descriptor is inheritable (no close-on-exec) so the target gets it; close it with
  /// `closeDescriptor()` once the target has been launched.
  public init(slots: UInt32, rate: UInt64) throws(CaptureError) {
    let fd = try Syscall.valueOrErrno(perfsh_alloc_memfd("perfsh-alloc")) {
      .system(call: "memfd_create", errno: $0)
    }
    let size = Int(perfsh_alloc_ring_bytes(slots))
    guard ftruncate(fd, off_t(size)) == 0 else {
      let e = Syscall.lastError
      close(fd)
      throw .system(call: "ftruncate(perfsh-alloc ring)", errno: e)
    }
    guard let p = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), p != MAP_FAILED else {
      let e = Syscall.lastError
      close(fd)
      throw .system(call: "mmap(perfsh-alloc ring)", errno: e)
    }
    perfsh_alloc_ring_init(p, slots, rate)
    descriptor = fd
    base = p
    bytes = size
  }

  /// The descriptor number the target inherits.
  public var descriptorNumber: Int32 { descriptor }

  /// Closes perfsh's descriptor (the mapping stays); the target keeps its inherited copy.
  public mutating func closeDescriptor() {
    if descriptor >= 0 { close(descriptor) }
    descriptor = -1
  }

  /// Pops every published record, in ring order, into `body`.
  public mutating func drain(_ body: (AllocationRecord) -> Void) {
    var raw = perfsh_alloc_record()
    while perfsh_alloc_ring_pop(base, &raw) != 0 {
      let kind: AllocationRecord.Kind
      switch Int(raw.kind) {
      case Int(PERFSH_ALLOC_HELLO.rawValue): kind = .hello
      case Int(PERFSH_ALLOC_ALLOC.rawValue): kind = .allocation
      case Int(PERFSH_ALLOC_FREE.rawValue): kind = .free
      default:
        unreadable += 1
        continue
      }
      let count = Int(min(raw.frame_count, UInt32(PERFSH_ALLOC_MAX_FRAMES)))
      let frames = withUnsafeBytes(of: raw.frames) { Array($0.bindMemory(to: UInt64.self).prefix(count)) }
      body(
        AllocationRecord(
          kind: kind, pid: raw.pid, tid: raw.tid, time: raw.time_ns, address: raw.address, size: raw.size,
          frames: frames))
    }
  }

  /// Records dropped because the ring was full.
  public var lost: UInt64 { perfsh_alloc_ring_counter(base, 0) }
  /// Sampled blocks the recorder could not track (their frees are not seen).
  public var untracked: UInt64 { perfsh_alloc_ring_counter(base, 1) }
  /// Processes that loaded the recorder (HELLO records written).
  public var processes: UInt64 { perfsh_alloc_ring_counter(base, 2) }

  deinit {
    if descriptor >= 0 { close(descriptor) }
    munmap(base, bytes)
  }
}
