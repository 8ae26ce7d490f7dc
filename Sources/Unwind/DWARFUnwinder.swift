import Capture
import Symbolize

/// Unwinds samples' user-stack copies with the binaries' DWARF CFI (`.eh_frame`,
/// `.debug_frame`), for binaries built without frame pointers.
///
/// A class so the converter's copy of it shares the caches (binaries, rows) across samples.
/// Each stack ends either at a frame whose return address is undefined (`_start`, `clone3`:
/// the thread's start, counted as complete) or with one `UnwoundFrame.unknownFrame`
/// (counted as truncated, with the reason).
public final class DWARFUnwinder: UserStackUnwinder {
  /// Why a stack ended before the thread's start.
  public enum Truncation: String, CaseIterable, Sendable {
    /// The address lies in no mapped file (JIT code, unmapped memory).
    case unmapped = "address not in a mapped file"
    /// The file could not be opened or parsed.
    case unreadableBinary = "binary unreadable"
    /// No FDE covers the address.
    case noUnwindInfo = "no unwind info"
    /// A rule needs stack memory beyond the copy (stack deeper than the copy).
    case outsideStackCopy = "stack deeper than the copy"
    /// A rule the unwinder cannot evaluate, or a register that is not known.
    case unsupportedRule = "unsupported rule"
    /// The caller's stack pointer did not move up: a corrupt or looping stack.
    case noProgress = "stack did not unwind"
    /// More frames than `maximumFrames`.
    case tooDeep = "too many frames"
  }

  /// Complete and truncated stack counts of one binary (the binary of the sampled instruction).
  public struct BinaryCounts: Sendable, Equatable {
    /// Stacks that reached the thread's start.
    public var complete = 0
    /// Stacks that ended with `[unknown]`.
    public var truncated = 0
  }

  /// Frames after which a stack is cut (as truncated).
  public let maximumFrames: Int
  /// Counts per binary path (the leaf's binary).
  public private(set) var counts: [String: BinaryCounts] = [:]
  /// Why stacks were truncated, with counts.
  public private(set) var truncations: [Truncation: Int] = [:]
  /// Frames produced in total (for throughput figures).
  public private(set) var framesUnwound = 0

  private var binariesByPath: [String: UnwindBinary?] = [:]
  private var binariesByObject: [UnwindBinary?] = []
  private var objectsResolved = 0

  /// An unwinder with empty caches.
  public init(maximumFrames: Int = 512) {
    self.maximumFrames = maximumFrames
  }

  /// See `UserStackUnwinder.unwind`.
  public func unwind(
    _ sample: PerfSample, pid: Int32, addressSpace: AddressSpace, objects: [MappedObject], into frames: inout [UInt64]
  ) -> Bool {
    guard let words = sample.userRegisters, var regs = RegisterFile(sample: words, abi: sample.userRegistersABI),
      let stackBytes = sample.userStack, let sp = regs[RegisterFile.sp], let ip = regs[RegisterFile.ip]
    else { return false }
    let stack = StackCopy(bytes: stackBytes, base: sp)
    frames.append(ip)
    var pc = ip
    var exact = true
    var leaf: String?
    var ended: Truncation? = .tooDeep
    for _ in 1..<maximumFrames {
      guard let region = addressSpace.region(containing: pc) else { ended = .unmapped; break }
      let object = objects[region.object]
      if leaf == nil { leaf = object.filename }
      guard let binary = binary(object: region.object, objects: objects) else { ended = .unreadableBinary; break }
      let lookup = exact ? pc : pc &- 1
      guard let row = binary.row(fileOffset: lookup &- object.start &+ object.pageOffset) else {
        ended = .noUnwindInfo
        break
      }
      if case .undefined = row.returnAddressRule {
        ended = nil
        break
      }
      let step = Self.step(row: row, registers: regs, stack: stack)
      guard case .success(let next) = step else {
        if case .failure(let why) = step { ended = why }
        break
      }
      guard let ra = next[RegisterFile.ip], let newSP = next[RegisterFile.sp] else { ended = .unsupportedRule; break }
      if ra == 0 {  // some runtimes end the chain with a zero return address
        ended = nil
        break
      }
      guard let oldSP = regs[RegisterFile.sp], newSP > oldSP || (row.isSignalFrame && newSP != oldSP) else {
        ended = .noProgress
        break
      }
      frames.append(ra)
      pc = ra
      exact = row.isSignalFrame
      regs = next
    }
    framesUnwound += frames.count
    let key = leaf ?? "[unmapped]"
    if let ended {
      frames.append(UnwoundFrame.unknownFrame)
      counts[key, default: BinaryCounts()].truncated += 1
      truncations[ended, default: 0] += 1
    } else {
      counts[key, default: BinaryCounts()].complete += 1
    }
    return true
  }

  /// Notes for `info`: complete vs truncated stacks per binary and why stacks were cut.
  public func notes() -> [String] {
    UnwindReport(counts: counts, truncations: truncations).lines()
  }

  // MARK: One frame

  private enum StepResult {
    case success(RegisterFile)
    case failure(Truncation)
  }

  /// The caller's registers from the callee's `registers` and `row`.
  private static func step(row: CFIRow, registers regs: RegisterFile, stack: StackCopy) -> StepResult {
    let cfa: UInt64
    switch row.cfa {
    case .registerOffset(let reg, let offset):
      guard let base = regs[reg] else { return .failure(.unsupportedRule) }
      cfa = base &+ UInt64(bitPattern: offset)
    case .expression(let e):
      guard let v = e.evaluate(initial: nil, register: { regs[$0] }, memory: { stack.word(at: $0) }) else {
        return .failure(.outsideStackCopy)
      }
      cfa = v
    }
    var next = RegisterFile()
    next[RegisterFile.sp] = cfa
    for (i, rule) in row.registers.enumerated() {
      let reg = UInt16(i)
      switch rule {
      case .undefined:
        if reg != RegisterFile.sp { next[reg] = nil }
      case .sameValue:
        if reg != RegisterFile.sp { next[reg] = regs[reg] }
      case .offset(let off):
        guard let v = stack.word(at: cfa &+ UInt64(bitPattern: off)) else {
          if reg == RegisterFile.ip { return .failure(.outsideStackCopy) }
          next[reg] = nil
          continue
        }
        next[reg] = v
      case .valueOffset(let off):
        next[reg] = cfa &+ UInt64(bitPattern: off)
      case .register(let other):
        next[reg] = regs[other]
      case .expression(let e):
        let address = e.evaluate(initial: cfa, register: { regs[$0] }, memory: { stack.word(at: $0) })
        let v = address.flatMap { stack.word(at: $0) }
        if v == nil, reg == RegisterFile.ip { return .failure(.outsideStackCopy) }
        next[reg] = v
      case .valueExpression(let e):
        next[reg] = e.evaluate(initial: cfa, register: { regs[$0] }, memory: { stack.word(at: $0) })
      }
    }
    return .success(next)
  }

  // MARK: Binaries

  private func binary(object: Int, objects: [MappedObject]) -> UnwindBinary? {
    if object < binariesByObject.count { return binariesByObject[object] }
    while binariesByObject.count < objects.count {
      let o = objects[binariesByObject.count]
      binariesByObject.append(binary(path: o.filename))
    }
    return object < binariesByObject.count ? binariesByObject[object] : nil
  }

  private func binary(path: String) -> UnwindBinary? {
    if let cached = binariesByPath[path] { return cached }
    let opened: UnwindBinary?
    if path == "[vdso]" {
      opened = UnwindBinary.vdso()
    } else if path.hasPrefix("/") {
      opened = try? UnwindBinary(path: path)
    } else {
      opened = nil
    }
    binariesByPath[path] = opened
    return opened
  }
}
