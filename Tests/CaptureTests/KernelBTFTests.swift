import XCTest

@testable import Capture

/// `KernelBTF` finds a struct member's byte offset in a BTF blob: built here type by type with
/// known offsets, and the running kernel's own.
final class KernelBTFTests: XCTestCase {
  /// A BTF blob written type by type: ids start at 1, strings at offset 1 (0 is "").
  struct Blob {
    var types: [UInt8] = []
    var strings: [UInt8] = [0]
    var nextID: UInt32 = 1

    mutating func name(_ text: String) -> UInt32 {
      guard !text.isEmpty else { return 0 }
      let offset = UInt32(strings.count)
      strings += Array(text.utf8) + [0]
      return offset
    }

    mutating func word(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { types += $0 } }

    @discardableResult
    mutating func type(
      _ name: String, kind: UInt32, vlen: Int = 0, kindFlag: Bool = false, sizeOrType: UInt32, extra: [UInt32] = []
    )
      -> UInt32
    {
      word(self.name(name))
      word(kind << 24 | UInt32(vlen) | (kindFlag ? 1 << 31 : 0))
      word(sizeOrType)
      for w in extra { word(w) }
      defer { nextID += 1 }
      return nextID
    }

    /// A struct with `(name, type id, bit offset)` members.
    @discardableResult
    mutating func structure(
      _ name: String, size: UInt32, union: Bool = false, kindFlag: Bool = false, _ members: [(String, UInt32, UInt32)]
    ) -> UInt32 {
      var extra: [UInt32] = []
      for (member, type, bits) in members { extra += [self.name(member), type, bits] }
      return type(name, kind: union ? 5 : 4, vlen: members.count, kindFlag: kindFlag, sizeOrType: size, extra: extra)
    }

    var bytes: [UInt8] {
      var out: [UInt8] = []
      func put(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
      out += [0x9F, 0xEB, 1, 0]
      put(24)
      put(0)
      put(UInt32(types.count))
      put(UInt32(types.count))
      put(UInt32(strings.count))
      return out + types + strings
    }
  }

  private func offset(_ member: String, in name: String, _ bytes: [UInt8]) throws -> Int {
    try bytes.withUnsafeBytes { raw in try KernelBTF(blob: raw).offset(of: member, inStruct: name) }
  }

  func testFindsAMemberByNameAtItsByteOffset() throws {
    var blob = Blob()
    let int = blob.type("int", kind: 1, sizeOrType: 4, extra: [32])
    let pointer = blob.type("", kind: 2, sizeOrType: 0)
    let pidT = blob.type("pid_t", kind: 8, sizeOrType: int)
    // A decoy with the same member name in another struct, and a forward declaration.
    blob.structure("mm_struct", size: 16, [("pid", int, 0)])
    blob.type("task_struct", kind: 7, sizeOrType: 0)
    blob.type("", kind: 13, vlen: 2, sizeOrType: int, extra: [0, int, 0, pointer])
    blob.structure(
      "task_struct", size: 2000,
      [("state", int, 0), ("stack", pointer, 64), ("pid", pidT, 1512 * 8), ("tgid", pidT, 1516 * 8)])
    XCTAssertEqual(try offset("pid", in: "task_struct", blob.bytes), 1512)
    XCTAssertEqual(try offset("tgid", in: "task_struct", blob.bytes), 1516)
    XCTAssertEqual(try offset("pid", in: "mm_struct", blob.bytes), 0)
  }

  func testLooksInsideAnonymousStructsAndUnionsAndAddsTheirOffsets() throws {
    var blob = Blob()
    let int = blob.type("int", kind: 1, sizeOrType: 4, extra: [32])
    let inner = blob.structure("", size: 8, [("flags", int, 0), ("pid", int, 32)])
    let constInner = blob.type("", kind: 10, sizeOrType: inner)
    let union = blob.structure("", size: 16, union: true, [("other", int, 0), ("", constInner, 64)])
    // Kind flag set: member offsets carry a bit-field size in the top byte.
    blob.structure("task_struct", size: 4096, kindFlag: true, [("a", int, 3 << 24 | 0), ("", union, 1024 * 8)])
    XCTAssertEqual(try offset("pid", in: "task_struct", blob.bytes), 1024 + 8 + 4)
  }

  func testRefusesMissingMembersBitFieldsAndBrokenBlobs() throws {
    var blob = Blob()
    let int = blob.type("int", kind: 1, sizeOrType: 4, extra: [32])
    blob.structure("task_struct", size: 8, kindFlag: true, [("pid", int, 1 << 24 | 3), ("tgid", int, 32)])
    XCTAssertThrowsError(try offset("comm", in: "task_struct", blob.bytes)) { error in
      XCTAssertEqual(error as? KernelBTF.Failure, .notFound("struct task_struct with a member comm"))
    }
    XCTAssertThrowsError(try offset("pid", in: "task_struct", blob.bytes)) { error in
      XCTAssertEqual(error as? KernelBTF.Failure, .malformed("member pid is a bit field"))
    }
    XCTAssertThrowsError(try offset("tgid", in: "task", blob.bytes))
    let whole = blob.bytes
    // Cut anywhere inside the types: never a crash, always a refusal.
    for cut in stride(from: 0, to: whole.count, by: 3) {
      var header = Array(whole[..<24])
      XCTAssertThrowsError(try offset("tgid", in: "task_struct", Array(whole[..<cut])))
      // Header claims types run past the data.
      header.replaceSubrange(12..<16, with: withUnsafeBytes(of: UInt32(cut + 1000).littleEndian) { Array($0) })
      XCTAssertThrowsError(try offset("tgid", in: "task_struct", header + Array(whole[24...])))
    }
    var unknown = Blob()
    unknown.type("x", kind: 31, sizeOrType: 0)
    XCTAssertThrowsError(try offset("pid", in: "task_struct", unknown.bytes)) { error in
      XCTAssertEqual(error as? KernelBTF.Failure, .malformed("type 1 has unknown kind 31"))
    }
  }

  /// A variable's offset in a data section: the section's record lists (variable id, offset,
  /// size); another section or a non-variable entry of that name does not count, and an entry
  /// whose id lies outside the blob is skipped.
  func testFindsAVariableInADataSection() throws {
    var blob = Blob()
    let int = blob.type("int", kind: 1, sizeOrType: 4, extra: [32])
    let steal = blob.type("steal_time", kind: 14, sizeOrType: int, extra: [1])
    let runqueues = blob.type("runqueues", kind: 14, sizeOrType: int, extra: [1])
    let decoy = blob.type("steal_time", kind: 14, sizeOrType: int, extra: [1])
    blob.type(".data", kind: 15, vlen: 1, sizeOrType: 64, extra: [decoy, 8, 4])
    blob.type(
      ".data..percpu", kind: 15, vlen: 4, sizeOrType: 4096,
      extra: [999, 0, 4, int, 16, 4, runqueues, 128, 4, steal, 3072, 4])
    let find = { (name: String, section: String) throws -> Int in
      try blob.bytes.withUnsafeBytes { raw in try KernelBTF(blob: raw).offset(ofVariable: name, inSection: section) }
    }
    XCTAssertEqual(try find("steal_time", ".data..percpu"), 3072)
    XCTAssertEqual(try find("runqueues", ".data..percpu"), 128)
    XCTAssertEqual(try find("steal_time", ".data"), 8)
    XCTAssertThrowsError(try find("int", ".data..percpu")) { error in
      XCTAssertEqual(error as? KernelBTF.Failure, .notFound("variable int in section .data..percpu"))
    }
  }

  /// The running kernel's task_struct: pid and tgid are adjacent `pid_t`s in every kernel, so
  /// tgid's offset is pid's plus 4 (an offset read from the wrong record could not say so).
  func testTheRunningKernelsTaskPIDOffset() throws {
    guard let data = FileManager.default.contents(atPath: KernelBTF.vmlinuxPath) else {
      throw XCTSkip("\(KernelBTF.vmlinuxPath) is not readable on this kernel")
    }
    let bytes = [UInt8](data)
    let pid = try offset("pid", in: "task_struct", bytes)
    XCTAssertEqual(try offset("tgid", in: "task_struct", bytes), pid + 4)
    XCTAssertGreaterThan(pid, 64)
    XCTAssertEqual(try KernelBTF.taskPIDOffset(), UInt32(pid))
  }
}
