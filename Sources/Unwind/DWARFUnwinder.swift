import Capture
import Symbolize

/// Unwinds samples' user-stack copies frame by frame: with the binaries' DWARF CFI
/// (`.eh_frame`, `.debug_frame`) where a frame's code has it, and with the frame-pointer
/// chain where it has none (JIT code and perf-map regions, Go, V8's embedded builtins).
///
/// A class so the converter's copy of it shares the caches (binaries, rows) across samples.
/// Each stack ends either at a frame whose return address is undefined (`_start`, `clone3`:
/// the thread's start), at a zero frame pointer or return address (the outermost frame of a
/// frame-pointer chain), both counted as complete, or with one marker frame (counted as
/// truncated, with the reason): `UnwoundFrame.truncatedFrame` when the stack was deeper than
/// the copy or the frame limit, `UnwoundFrame.unknownFrame` otherwise.
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
    /// Code without CFI whose frame-pointer register was not known.
    case noFramePointer = "no CFI and no frame pointer"
    /// Code without CFI whose frame-pointer chain led outside mapped code (the code keeps no
    /// frame pointer, e.g. Python 3.12's perf trampolines in a build without them).
    case brokenFramePointerChain = "no CFI and a broken frame-pointer chain"

    /// Whether the stack went on beyond what was copied (rather than being unreadable).
    var isDepthLimit: Bool { self == .outsideStackCopy || self == .tooDeep }
  }

  /// How one frame was stepped to its caller.
  public enum Method: Sendable {
    /// With the code's CFI rows.
    case cfi
    /// With the frame-pointer chain (`[rbp]` is the caller's rbp, `[rbp+8]` the return address).
    case framePointer
  }

  /// Complete and truncated stack counts of one binary (the binary of the sampled instruction),
  /// and how its frames were stepped (over every frame in it, leaf or not).
  public struct BinaryCounts: Sendable, Equatable {
    /// Stacks that reached the thread's start.
    public var complete = 0
    /// Stacks that ended with a marker frame.
    public var truncated = 0
    /// Frames in this binary stepped with CFI.
    public var cfiFrames = 0
    /// Frames in this binary stepped with frame pointers.
    public var framePointerFrames = 0
  }

  /// Complete stacks by the methods their frames used.
  public struct MethodCounts: Sendable, Equatable {
    /// Every step used CFI.
    public var cfi = 0
    /// Every step used frame pointers.
    public var framePointer = 0
    /// Some steps used each.
    public var mixed = 0
  }

  /// How far above a stack copy a frame pointer may point and still be taken as a frame of a
  /// stack deeper than the copy (beyond it, it is garbage: a register used for data).
  static let plausibleStackBytes: UInt64 = 64 << 20

  /// Frames after which a stack is cut (as truncated).
  public let maximumFrames: Int
  /// Counts per binary path (the leaf's binary).
  public private(set) var counts: [String: BinaryCounts] = [:]
  /// Why stacks were truncated, with counts.
  public private(set) var truncations: [Truncation: Int] = [:]
  /// Complete stacks by method.
  public private(set) var completedBy = MethodCounts()
  /// Frames produced in total (for throughput figures).
  public private(set) var framesUnwound = 0
  /// Uprobe frames met while a program was traced (see `UprobeFrames`).
  public private(set) var uprobeCounts = UprobeCounts()

  /// How the `[uprobes]` page's frames were unwound.
  public struct UprobeCounts: Sendable, Equatable {
    /// Uretprobe trampoline return addresses replaced by the original from the kernel's chain.
    public var trampolinesRestored = 0
    /// Trampoline return addresses the kernel's chain did not give (the caller is skipped).
    public var trampolinesLeft = 0
    /// Samples in an out-of-line single-step slot, stepped with the return address at `[rsp]`.
    public var slotFrames = 0
    /// Leaves one byte past a function's first instruction unwound with the state before it
    /// (a uprobe's int3 trap, before the probed instruction ran).
    public var trapFrames = 0
  }

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
    let sampled = regs
    frames.append(ip)
    var pc = ip
    var exact = true
    var leaf: String?
    var ended: Truncation? = .tooDeep
    var usedCFI = false
    var usedFramePointers = false
    var uprobes: UprobeFrames?
    for _ in 1..<maximumFrames {
      guard let region = addressSpace.region(containing: pc) else {
        ended = .unmapped
        break
      }
      let object = objects[region.object]
      if leaf == nil { leaf = object.filename }
      let lookup = exact ? pc : pc &- 1
      var step: StepResult
      let row = binary(object: region.object, objects: objects)?.row(
        fileOffset: lookup &- object.start &+ object.pageOffset)
      if exact, object.filename == UprobeFrames.pageName, pc &- object.start >= UprobeFrames.trampolineBytes,
        let next = UprobeFrames.slotStep(registers: regs, stack: stack)
      {
        step = .success(next)
        uprobeCounts.slotFrames += 1
      } else if let row {
        if case .undefined = row.returnAddressRule {
          ended = nil
          break
        }
        step = Self.step(row: row, registers: regs, stack: stack)
        if frames.count == 1, !leadsToCode(step, in: addressSpace),
          let before = binary(object: region.object, objects: objects)?.row(
            fileOffset: lookup &- 1 &- object.start &+ object.pageOffset),
          case let retried = Self.step(row: before, registers: regs, stack: stack),
          leadsToCode(retried, in: addressSpace)
        {
          // A uprobe's int3 traps with the instruction pointer one byte past the probe, before
          // the probed instruction ran (a `push %rbp` the rows count as done): the state of
          // the byte before is the real one.
          step = retried
          uprobeCounts.trapFrames += 1
        }
        usedCFI = true
        counts[object.filename, default: BinaryCounts()].cfiFrames += 1
      } else {
        // No CFI for this code (or no readable binary): follow the frame-pointer chain.
        guard let fp = regs[RegisterFile.fp] else {
          ended = .noFramePointer
          break
        }
        if fp == 0 {  // the outermost frame of a frame-pointer chain (Go's goroutines, V8's entry)
          ended = nil
          break
        }
        var fpStep = Self.framePointerStep(fp: fp, stack: stack)
        if !exact, !plausible(fpStep, after: regs, in: addressSpace),
          let scanned = scanForReturnAddress(
            registers: regs, stack: stack, addressSpace: addressSpace, objects: objects)
        {
          // Frameless code without CFI (Python 3.12's perf trampolines without frame pointers):
          // the return address is the first stack word that returns right after a call.
          fpStep = .success(scanned)
        }
        step = fpStep
        usedFramePointers = true
        counts[object.filename, default: BinaryCounts()].framePointerFrames += 1
      }
      guard case .success(let next) = step else {
        if case .failure(let why) = step { ended = why }
        break
      }
      guard var ra = next[RegisterFile.ip], let newSP = next[RegisterFile.sp] else {
        ended = .unsupportedRule
        break
      }
      if let r = addressSpace.region(containing: ra), objects[r.object].filename == UprobeFrames.pageName,
        ra == objects[r.object].start
      {
        // A pending uretprobe's trampoline in place of the real return address.
        if uprobes == nil {
          uprobes = UprobeFrames(
            chain: sample.callchain, registers: sampled,
            stack: stack, trampoline: ra)
        }
        if let original = uprobes?.nextOriginal() {
          ra = original
          uprobeCounts.trampolinesRestored += 1
        } else {
          uprobeCounts.trampolinesLeft += 1
        }
      }
      if ra == 0 {  // some runtimes end the chain with a zero return address
        ended = nil
        break
      }
      if row == nil, addressSpace.region(containing: ra) == nil {  // a garbage frame pointer
        ended = .brokenFramePointerChain
        break
      }
      guard let oldSP = regs[RegisterFile.sp], newSP > oldSP || (row?.isSignalFrame == true && newSP != oldSP) else {
        ended = .noProgress
        break
      }
      frames.append(ra)
      pc = ra
      exact = row?.isSignalFrame ?? false
      regs = next
      regs[RegisterFile.ip] = ra
    }
    framesUnwound += frames.count
    let key = leaf ?? "[unmapped]"
    if let ended {
      frames.append(ended.isDepthLimit ? UnwoundFrame.truncatedFrame : UnwoundFrame.unknownFrame)
      counts[key, default: BinaryCounts()].truncated += 1
      truncations[ended, default: 0] += 1
    } else {
      counts[key, default: BinaryCounts()].complete += 1
      switch (usedCFI, usedFramePointers) {
      case (_, false): completedBy.cfi += 1
      case (false, true): completedBy.framePointer += 1
      case (true, true): completedBy.mixed += 1
      }
    }
    return true
  }

  /// Notes for `info`: complete vs truncated stacks per binary and why stacks were cut.
  public func notes() -> [String] {
    UnwindReport(counts: counts, truncations: truncations, completedBy: completedBy, uprobes: uprobeCounts).lines()
  }

  // MARK: One frame

  private enum StepResult {
    case success(RegisterFile)
    case failure(Truncation)
  }

  /// Words of the stack a frameless frame without CFI is searched for its return address.
  static let scanWords = 4

  /// Whether `step` succeeded with a return address in mapped code.
  private func leadsToCode(_ step: StepResult, in space: AddressSpace) -> Bool {
    guard case .success(let next) = step, let ra = next[RegisterFile.ip] else { return false }
    return space.region(containing: ra) != nil
  }

  /// Whether a frame-pointer step leads to mapped code above the current stack pointer.
  private func plausible(_ step: StepResult, after regs: RegisterFile, in space: AddressSpace) -> Bool {
    guard case .success(let next) = step, let ra = next[RegisterFile.ip], let sp = next[RegisterFile.sp],
      let old = regs[RegisterFile.sp]
    else { return false }
    return sp > old && space.region(containing: ra) != nil
  }

  /// The caller's registers for a frameless frame without CFI: the first of the next few
  /// stack words that points just past a call instruction in code that has CFI is taken as
  /// the return address; the other registers are left as the callee left them.
  private func scanForReturnAddress(
    registers regs: RegisterFile, stack: StackCopy, addressSpace: AddressSpace, objects: [MappedObject]
  ) -> RegisterFile? {
    guard let sp = regs[RegisterFile.sp] else { return nil }
    for k in 0..<Self.scanWords {
      let slot = sp &+ UInt64(k * 8)
      guard let candidate = stack.word(at: slot), let region = addressSpace.region(containing: candidate) else {
        continue
      }
      let object = objects[region.object]
      guard let binary = binary(object: region.object, objects: objects) else { continue }
      let offset = candidate &- object.start &+ object.pageOffset
      guard binary.row(fileOffset: offset &- 1) != nil, binary.followsCall(fileOffset: offset) else { continue }
      var next = regs
      next[RegisterFile.ip] = candidate
      next[RegisterFile.sp] = slot &+ 8
      return next
    }
    return nil
  }

  /// The caller's registers by the frame-pointer chain from frame pointer `fp`: the return
  /// address at fp+8, the caller's rbp at fp, its stack pointer fp+16. Other registers are
  /// unknown afterwards (no rule says where the callee kept them).
  private static func framePointerStep(fp: UInt64, stack: StackCopy) -> StepResult {
    guard fp & 7 == 0 else { return .failure(.noProgress) }
    guard let ra = stack.word(at: fp &+ 8), let callerFP = stack.word(at: fp) else {
      // A frame pointer above the copy (within a plausible stack size) means a deeper stack.
      let beyond = fp >= stack.end && fp - stack.end < Self.plausibleStackBytes
      return .failure(beyond ? .outsideStackCopy : .noProgress)
    }
    var next = RegisterFile()
    next[RegisterFile.ip] = ra
    next[RegisterFile.sp] = fp &+ 16
    next[RegisterFile.fp] = callerFP
    return .success(next)
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
