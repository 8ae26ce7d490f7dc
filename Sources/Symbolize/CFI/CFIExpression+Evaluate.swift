extension CFIExpression {
  /// Evaluates the expression as CFI does: `initial` (the CFA, for register rules) is pushed
  /// first; `register` gives a DWARF register's value and `memory` an 8-byte load. Returns
  /// nil for an operation outside CFI's subset, a stack underflow or an unreadable value.
  public func evaluate(
    initial: UInt64?, register: (UInt16) -> UInt64?, memory: (UInt64) -> UInt64?
  ) -> UInt64? {
    var stack: [UInt64] = []
    stack.reserveCapacity(8)
    if let initial { stack.append(initial) }
    return bytes.withUnsafeBytes { raw -> UInt64? in
      var r = CFIReader(raw)
      var steps = 0
      while !r.isAtEnd {
        steps += 1
        if steps > 1000 { return nil }
        guard let op = r.u8() else { return nil }
        switch op {
        case 0x30...0x4f: stack.append(UInt64(op - 0x30))
        case 0x70...0x8f:
          guard let off = r.sleb(), let v = register(UInt16(op - 0x70)) else { return nil }
          stack.append(v &+ UInt64(bitPattern: off))
        case 0x92:
          guard let reg = r.uleb(), let off = r.sleb(), let v = register(UInt16(clamping: reg)) else { return nil }
          stack.append(v &+ UInt64(bitPattern: off))
        case 0x03, 0x0e:
          guard let v = r.fixed(UInt64.self) else { return nil }
          stack.append(v)
        case 0x08:
          guard let v = r.u8() else { return nil }
          stack.append(UInt64(v))
        case 0x09:
          guard let v = r.fixed(Int8.self) else { return nil }
          stack.append(UInt64(bitPattern: Int64(v)))
        case 0x0a:
          guard let v = r.fixed(UInt16.self) else { return nil }
          stack.append(UInt64(v))
        case 0x0b:
          guard let v = r.fixed(Int16.self) else { return nil }
          stack.append(UInt64(bitPattern: Int64(v)))
        case 0x0c:
          guard let v = r.fixed(UInt32.self) else { return nil }
          stack.append(UInt64(v))
        case 0x0d:
          guard let v = r.fixed(Int32.self) else { return nil }
          stack.append(UInt64(bitPattern: Int64(v)))
        case 0x0f:
          guard let v = r.fixed(Int64.self) else { return nil }
          stack.append(UInt64(bitPattern: v))
        case 0x10:
          guard let v = r.uleb() else { return nil }
          stack.append(v)
        case 0x11:
          guard let v = r.sleb() else { return nil }
          stack.append(UInt64(bitPattern: v))
        case 0x06:
          guard let a = stack.popLast(), let v = memory(a) else { return nil }
          stack.append(v)
        case 0x12:
          guard let a = stack.last else { return nil }
          stack.append(a)
        case 0x13: guard stack.popLast() != nil else { return nil }
        case 0x14:
          guard stack.count >= 2 else { return nil }
          stack.append(stack[stack.count - 2])
        case 0x15:
          guard let i = r.u8(), Int(i) < stack.count else { return nil }
          stack.append(stack[stack.count - 1 - Int(i)])
        case 0x16:
          guard stack.count >= 2 else { return nil }
          stack.swapAt(stack.count - 1, stack.count - 2)
        case 0x17:
          guard stack.count >= 3 else { return nil }
          let n = stack.count
          (stack[n - 1], stack[n - 2], stack[n - 3]) = (stack[n - 2], stack[n - 3], stack[n - 1])
        case 0x19:
          guard let a = stack.popLast() else { return nil }
          stack.append(Int64(bitPattern: a).magnitude)
        case 0x1f:
          guard let a = stack.popLast() else { return nil }
          stack.append(0 &- a)
        case 0x20:
          guard let a = stack.popLast() else { return nil }
          stack.append(~a)
        case 0x23:
          guard let v = r.uleb(), let a = stack.popLast() else { return nil }
          stack.append(a &+ v)
        case 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x21, 0x22, 0x24, 0x25, 0x26, 0x27, 0x29...0x2e:
          guard let b = stack.popLast(), let a = stack.popLast(), let v = Self.binary(op, a, b) else { return nil }
          stack.append(v)
        case 0x2f:
          guard let d = r.fixed(Int16.self) else { return nil }
          let target = r.offset + Int(d)
          guard target >= 0, target <= raw.count else { return nil }
          r.offset = target
        case 0x28:
          guard let d = r.fixed(Int16.self), let c = stack.popLast() else { return nil }
          if c != 0 {
            let target = r.offset + Int(d)
            guard target >= 0, target <= raw.count else { return nil }
            r.offset = target
          }
        case 0x96: break
        default: return nil
        }
      }
      return stack.last
    }
  }

  private static func binary(_ op: UInt8, _ a: UInt64, _ b: UInt64) -> UInt64? {
    let sa = Int64(bitPattern: a)
    let sb = Int64(bitPattern: b)
    switch op {
    case 0x1a: return a & b
    case 0x1b: return sb == 0 ? nil : UInt64(bitPattern: sa.dividedReportingOverflow(by: sb).partialValue)
    case 0x1c: return a &- b
    case 0x1d: return b == 0 ? nil : a % b
    case 0x1e: return a &* b
    case 0x21: return a | b
    case 0x22: return a &+ b
    case 0x24: return b >= 64 ? 0 : a << b
    case 0x25: return b >= 64 ? 0 : a >> b
    case 0x26: return UInt64(bitPattern: b >= 64 ? (sa < 0 ? -1 : 0) : sa >> sb)
    case 0x27: return a ^ b
    case 0x29: return sa == sb ? 1 : 0
    case 0x2a: return sa >= sb ? 1 : 0
    case 0x2b: return sa > sb ? 1 : 0
    case 0x2c: return sa <= sb ? 1 : 0
    case 0x2d: return sa < sb ? 1 : 0
    case 0x2e: return sa != sb ? 1 : 0
    default: return nil
    }
  }
}
