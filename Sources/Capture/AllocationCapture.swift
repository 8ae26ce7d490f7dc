import Glibc
import ProfileModel

/// What `run --alloc` asks for: the recorder library to preload and its sampling rate.
public struct AllocationRequest: Sendable, Equatable {
  /// Mean bytes between sampled allocations (`--alloc-rate`, default 512 KiB).
  public var rate: Int64
  /// Absolute path of libperfsh-alloc.so.
  public var library: String

  /// The default rate, as tcmalloc and Go use.
  public static let defaultRate: Int64 = 512 * 1024

  public init(rate: Int64 = AllocationRequest.defaultRate, library: String) {
    self.rate = rate
    self.library = library
  }
}

/// One run's allocation recording: the shared ring, the target's environment, the records
/// held back until perf records of the same time have been converted, and the run note.
final class AllocationCapture {
  let request: AllocationRequest
  private var ring: AllocationRing
  private var pending: [AllocationRecord] = []
  /// Every exec the perf records showed (pid, program name, time), and every recorder hello.
  private var execs: [(pid: Int32, name: String, time: UInt64)] = []
  private var hellos: [Int32: [UInt64]] = [:]
  /// How allocation stacks are taken, for the run's notes.
  private var unwinding = "frame pointers"

  init(_ request: AllocationRequest) throws(CaptureError) {
    self.request = request
    // The ring's touched pages count in the target's RSS: 4096 slots (2.2 MB) hold 20 ms of
    // records (perfsh drains every 20 ms) up to ~100 k samples per second, which the default
    // rate reaches only at ~50 GB/s of allocation. Denser sampling gets a ring that holds
    // seconds of records (only its touched pages cost memory): on a loaded machine perfsh's
    // drain can be late by far more than 20 ms, and a full ring drops records (counted).
    let slots: UInt32 = request.rate >= 64 * 1024 ? 4096 : 262_144
    ring = try AllocationRing(slots: slots, rate: UInt64(max(1, request.rate)))
  }

  /// `overrides` plus what the recorder needs. The recorder goes first in LD_PRELOAD, so an
  /// allocator preloaded by the user (jemalloc, tcmalloc) is what it forwards to.
  /// With `dwarf` the recorder unwinds with libunwind (DWARF CFI) instead of frame pointers,
  /// as the CPU sampler does for an executable built without them.
  func environment(adding overrides: [String: String], inherited: [String], dwarf: Bool) -> [String: String] {
    var env = overrides
    let existing =
      overrides["LD_PRELOAD"]
      ?? inherited.last { $0.hasPrefix("LD_PRELOAD=") }.map { String($0.dropFirst("LD_PRELOAD=".count)) }
    env["LD_PRELOAD"] = [request.library, existing].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ":")
    env["PERFSH_ALLOC_FD"] = String(ring.descriptorNumber)
    env["PERFSH_ALLOC_RATE"] = String(request.rate)
    env["PERFSH_ALLOC_UNWIND"] = dwarf ? "dwarf" : "fp"
    unwinding = dwarf ? "libunwind (DWARF CFI)" : "frame pointers"
    return env
  }

  /// The target has its copy of the ring's descriptor: perfsh's own is closed.
  func launched() { ring.closeDescriptor() }

  /// Converts the records up to `time` (all of them when nil), after the perf records up to
  /// that time, so each stack meets the mappings of its moment.
  func drain(upTo time: UInt64?, into converter: inout ProfileConverter) {
    ring.drain {
      if $0.kind == .hello { hellos[$0.pid, default: []].append($0.time) }
      pending.append($0)
    }
    guard !pending.isEmpty else { return }
    var kept: [AllocationRecord] = []
    for record in pending {
      if let time, record.time > time { kept.append(record) } else { converter.consume(allocation: record) }
    }
    pending = kept
  }

  /// Before an exec record: converts the records older than it, so the old image's stacks
  /// meet the old image's mappings (the exec replaces the pid's address space).
  func before(_ record: PerfRecord, into converter: inout ProfileConverter) {
    guard case .comm(let c) = record, c.isExec, let time = c.sampleID.time else { return }
    execs.append((c.pid, c.name, time))
    drain(upTo: time &- 1, into: &converter)
  }

  /// The run's allocation summary counters and, when no process loaded the recorder, why.
  func finish(into run: inout RunInfo, executable: String, identityChange: String?, name: String) -> String? {
    var summary = run.allocations ?? AllocationSummary(rate: request.rate)
    summary.processes = Int(ring.processes)
    summary.lostRecords = Int64(clamping: ring.lost)
    summary.untrackedBlocks = Int64(clamping: ring.untracked)
    run.allocations = summary
    run.notes.append("allocation stacks: \(unwinding), one sample per \(request.rate) bytes on average")
    if ring.lost > 0 {
      run.notes.append("\(ring.lost) allocation records were lost (ring full): totals are low; raise --alloc-rate")
    }
    if ring.unreadable > 0 {
      run.notes.append("\(ring.unreadable) allocation records could not be read (unknown kind) and were skipped")
    }
    if ring.untracked > 0 {
      run.notes.append("\(ring.untracked) sampled blocks could not be tracked: their frees were not seen")
    }
    guard ring.processes == 0 else { return unrecorded() }
    let reason: String
    if let identityChange {
      reason = "\(name) is \(identityChange), and the dynamic loader ignores LD_PRELOAD for such programs"
    } else if let linkage = Self.staticLinkage(of: executable) {
      reason = "\(name) is \(linkage), so LD_PRELOAD cannot put the recorder in front of its allocator"
    } else {
      reason = "\(name) never loaded the recorder (it may clear LD_PRELOAD, or not use the C library's malloc)"
    }
    return "no allocation data: \(reason)"
  }

  /// When some exec'd programs never loaded the recorder (no hello from their pid after the
  /// exec: LD_PRELOAD cleared, a static or set-ID binary), a note naming them; else nil.
  private func unrecorded() -> String? {
    var missing: [String] = []
    for e in execs where !(hellos[e.pid] ?? []).contains(where: { $0 >= e.time }) {
      missing.append("\(e.name) (pid \(e.pid))")
    }
    guard !missing.isEmpty else { return nil }
    let names = missing.prefix(5).joined(separator: ", ") + (missing.count > 5 ? ", …" : "")
    return "no allocation data from \(missing.count) exec'd program\(missing.count == 1 ? "" : "s") that did not load "
      + "the recorder (LD_PRELOAD cleared, statically linked or set-ID): \(names)"
  }

  /// "statically linked" when the ELF file at `path` has no program interpreter, else nil
  /// (also for scripts and unreadable files).
  static func staticLinkage(of path: String) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var header = [UInt8](repeating: 0, count: 64)
    guard pread(fd, &header, 64, 0) == 64, header[0] == 0x7f, header[1] == 0x45, header[2] == 0x4c, header[3] == 0x46,
      header[4] == 2
    else { return nil }
    func word<T: FixedWidthInteger>(_ bytes: [UInt8], _ at: Int, _: T.Type) -> T {
      var v: T = 0
      for i in 0..<MemoryLayout<T>.size { v |= T(bytes[at + i]) << (8 * i) }
      return v
    }
    let phoff = word(header, 32, UInt64.self)
    let entry = Int(word(header, 54, UInt16.self))
    let count = Int(word(header, 56, UInt16.self))
    guard entry >= 4, count > 0, count < 4096 else { return nil }
    var table = [UInt8](repeating: 0, count: entry * count)
    guard pread(fd, &table, table.count, off_t(clamping: phoff)) == table.count else { return nil }
    for i in 0..<count where word(table, i * entry, UInt32.self) == 3 { return nil }  // PT_INTERP
    return "statically linked"
  }
}
