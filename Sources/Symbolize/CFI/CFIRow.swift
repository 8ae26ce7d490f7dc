/// A DWARF expression from CFI (`DW_CFA_*_expression`), kept as its bytes.
public struct CFIExpression: Hashable, Sendable {
  /// The expression's operations, as encoded.
  public var bytes: [UInt8]
  /// Creates a value from its parts.
  public init(bytes: [UInt8]) { self.bytes = bytes }
}

/// How to find the canonical frame address (the caller's stack pointer before the call).
public enum CFARule: Hashable, Sendable {
  /// CFA = register + offset (DWARF register numbers).
  case registerOffset(register: UInt16, offset: Int64)
  /// CFA = the value of an expression.
  case expression(CFIExpression)
}

/// How to recover one register of the caller.
public enum CFIRegisterRule: Hashable, Sendable {
  /// The register cannot be recovered; for the return address this ends the stack.
  case undefined
  /// The caller's value is the current value (callee-saved and untouched).
  case sameValue
  /// Saved in memory at CFA + offset.
  case offset(Int64)
  /// The caller's value is CFA + offset.
  case valueOffset(Int64)
  /// The caller's value is in another register.
  case register(UInt16)
  /// Saved in memory at the address an expression computes (with the CFA pushed first).
  case expression(CFIExpression)
  /// The caller's value is what an expression computes (with the CFA pushed first).
  case valueExpression(CFIExpression)
}

/// One row of the CFI table: the unwind rules valid for the instruction addresses `[start, end)`.
public struct CFIRow: Hashable, Sendable {
  /// Number of x86-64 DWARF registers the rows track: rax … r15 (0–15) and the return address (16).
  public static let registerCount = 17
  /// DWARF register number of the return address column on x86-64.
  public static let returnAddressRegister: UInt16 = 16
  /// DWARF register number of rsp on x86-64.
  public static let stackPointerRegister: UInt16 = 7
  /// DWARF register number of rbp on x86-64.
  public static let framePointerRegister: UInt16 = 6

  /// First link address the row covers.
  public var start: UInt64
  /// End (exclusive) of the covered addresses.
  public var end: UInt64
  /// How to compute the CFA.
  public var cfa: CFARule
  /// Rules for DWARF registers 0 ..< `registerCount`.
  public var registers: [CFIRegisterRule]
  /// True for a signal trampoline's frame (CIE augmentation `S`): its "return address" is
  /// the interrupted instruction itself, not a return address.
  public var isSignalFrame: Bool
  /// The column holding the return address (16 on x86-64).
  public var returnAddressColumn: UInt16

  /// Creates a value from its parts.
  public init(
    start: UInt64, end: UInt64, cfa: CFARule, registers: [CFIRegisterRule], isSignalFrame: Bool,
    returnAddressColumn: UInt16 = CFIRow.returnAddressRegister
  ) {
    self.start = start
    self.end = end
    self.cfa = cfa
    self.registers = registers
    self.isSignalFrame = isSignalFrame
    self.returnAddressColumn = returnAddressColumn
  }

  /// The rule of the return-address column.
  public var returnAddressRule: CFIRegisterRule {
    Int(returnAddressColumn) < registers.count ? registers[Int(returnAddressColumn)] : .undefined
  }
}
