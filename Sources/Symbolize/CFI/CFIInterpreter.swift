/// Runs DW_CFA_* instructions (a CIE's initial ones, then an FDE's) up to an address and
/// yields the row in effect there.
struct CFIInterpreter {
  private struct State {
    var cfa: CFARule
    var registers: [CFIRegisterRule]
  }

  let section: CFISection
  let cie: CFICIE

  /// The row for `target` within `fde`, or nil when the instructions are malformed.
  func row(fde: CFIFDE, target: UInt64) -> CFIRow? {
    var state = State(
      cfa: .registerOffset(register: CFIRow.stackPointerRegister, offset: 8),
      registers: Array(repeating: .sameValue, count: CFIRow.registerCount))
    var location = fde.start
    var end = fde.start &+ fde.length
    // Initial instructions: they set the state every FDE starts from (also for DW_CFA_restore).
    guard run(cie.instructions, state: &state, initial: nil, location: &location, target: .max, end: &end) else {
      return nil
    }
    let initial = state
    location = fde.start
    var rowStart = fde.start
    guard
      run(
        fde.instructions, state: &state, initial: initial, location: &location, target: target, end: &end,
        rowStart: &rowStart)
    else { return nil }
    return CFIRow(
      start: rowStart, end: end, cfa: state.cfa, registers: state.registers, isSignalFrame: cie.isSignalFrame,
      returnAddressColumn: cie.returnAddressColumn)
  }

  private func run(
    _ range: Range<Int>, state: inout State, initial: State?, location: inout UInt64, target: UInt64,
    end: inout UInt64
  ) -> Bool {
    var ignored: UInt64 = 0
    return run(
      range, state: &state, initial: initial, location: &location, target: target, end: &end, rowStart: &ignored)
  }

  // One switch over the opcodes; returns when the next row would start past `target`.
  private func run(
    _ range: Range<Int>, state: inout State, initial: State?, location: inout UInt64, target: UInt64,
    end: inout UInt64, rowStart: inout UInt64
  ) -> Bool {
    var r = CFIReader(
      UnsafeRawBufferPointer(rebasing: section.bytes[0..<range.upperBound]), offset: range.lowerBound,
      baseAddress: section.address)
    var saved: [State] = []
    let da = cie.dataAlignment
    func set(_ reg: UInt64, _ rule: CFIRegisterRule, _ state: inout State) {
      if reg < UInt64(CFIRow.registerCount) { state.registers[Int(reg)] = rule }
    }
    func restore(_ reg: UInt64, _ state: inout State) {
      if reg < UInt64(CFIRow.registerCount) { state.registers[Int(reg)] = initial?.registers[Int(reg)] ?? .sameValue }
    }
    func advance(_ delta: UInt64, _ location: inout UInt64) -> Bool {
      let next = location &+ delta &* cie.codeAlignment
      if next > target {
        end = next
        return false
      }
      location = next
      rowStart = next
      return true
    }
    while !r.isAtEnd {
      guard let op = r.u8() else { return false }
      switch op >> 6 {
      case 1:
        if !advance(UInt64(op & 0x3f), &location) { return true }
        continue
      case 2:
        guard let off = r.uleb() else { return false }
        set(UInt64(op & 0x3f), .offset(Int64(bitPattern: off) &* da), &state)
        continue
      case 3:
        restore(UInt64(op & 0x3f), &state)
        continue
      default: break
      }
      switch op {
      case 0x00: break
      case 0x01:
        guard let loc = r.pointer(encoding: cie.pointerEncoding & 0x7f) else { return false }
        if loc > target {
          end = loc
          return true
        }
        location = loc
        rowStart = loc
      case 0x02:
        guard let d = r.u8() else { return false }
        if !advance(UInt64(d), &location) { return true }
      case 0x03:
        guard let d = r.fixed(UInt16.self) else { return false }
        if !advance(UInt64(d), &location) { return true }
      case 0x04:
        guard let d = r.fixed(UInt32.self) else { return false }
        if !advance(UInt64(d), &location) { return true }
      case 0x05:
        guard let reg = r.uleb(), let off = r.uleb() else { return false }
        set(reg, .offset(Int64(bitPattern: off) &* da), &state)
      case 0x06:
        guard let reg = r.uleb() else { return false }
        restore(reg, &state)
      case 0x07:
        guard let reg = r.uleb() else { return false }
        set(reg, .undefined, &state)
      case 0x08:
        guard let reg = r.uleb() else { return false }
        set(reg, .sameValue, &state)
      case 0x09:
        guard let reg = r.uleb(), let other = r.uleb() else { return false }
        set(reg, .register(UInt16(clamping: other)), &state)
      case 0x0a: saved.append(state)
      case 0x0b:
        guard let s = saved.popLast() else { return false }
        // The whole row comes back, CFA included, as libgcc's unwinder does.
        state = s
      case 0x0c:
        guard let reg = r.uleb(), let off = r.uleb() else { return false }
        state.cfa = .registerOffset(register: UInt16(clamping: reg), offset: Int64(bitPattern: off))
      case 0x0d:
        guard let reg = r.uleb() else { return false }
        if case .registerOffset(_, let off) = state.cfa {
          state.cfa = .registerOffset(register: UInt16(clamping: reg), offset: off)
        } else {
          state.cfa = .registerOffset(register: UInt16(clamping: reg), offset: 0)
        }
      case 0x0e:
        guard let off = r.uleb() else { return false }
        guard case .registerOffset(let reg, _) = state.cfa else { return false }
        state.cfa = .registerOffset(register: reg, offset: Int64(bitPattern: off))
      case 0x0f:
        guard let block = r.block() else { return false }
        state.cfa = .expression(block)
      case 0x10:
        guard let reg = r.uleb(), let block = r.block() else { return false }
        set(reg, .expression(block), &state)
      case 0x11:
        guard let reg = r.uleb(), let off = r.sleb() else { return false }
        set(reg, .offset(off &* da), &state)
      case 0x12:
        guard let reg = r.uleb(), let off = r.sleb() else { return false }
        state.cfa = .registerOffset(register: UInt16(clamping: reg), offset: off &* da)
      case 0x13:
        guard let off = r.sleb() else { return false }
        guard case .registerOffset(let reg, _) = state.cfa else { return false }
        state.cfa = .registerOffset(register: reg, offset: off &* da)
      case 0x14:
        guard let reg = r.uleb(), let off = r.uleb() else { return false }
        set(reg, .valueOffset(Int64(bitPattern: off) &* da), &state)
      case 0x15:
        guard let reg = r.uleb(), let off = r.sleb() else { return false }
        set(reg, .valueOffset(off &* da), &state)
      case 0x16:
        guard let reg = r.uleb(), let block = r.block() else { return false }
        set(reg, .valueExpression(block), &state)
      case 0x2e:
        guard r.uleb() != nil else { return false }
      case 0x2f:
        guard let reg = r.uleb(), let off = r.uleb() else { return false }
        set(reg, .offset(0 &- (Int64(bitPattern: off) &* da)), &state)
      default:
        return false
      }
    }
    return true
  }
}

extension CFIReader {
  /// A ULEB128-length-prefixed expression block.
  mutating func block() -> CFIExpression? {
    guard let n = uleb(), n <= UInt64(bytes.count - offset) else { return nil }
    let start = offset
    offset += Int(n)
    return CFIExpression(bytes: Array(bytes[start..<offset]))
  }
}
