import Glibc

/// Byte offsets of kernel struct members, read from the kernel's BTF type information
/// (`/sys/kernel/btf/vmlinux`) by one linear scan of its type records.
///
/// The BPF programs of a capture read one field of a task (its pid) at a run-time offset
/// taken from here instead of through CO-RE relocations: a CO-RE relocation makes libbpf parse
/// and index the whole kernel BTF before every load (~35 ms measured between perfsh's start
/// and the target's exec), where finding one member by name takes a few milliseconds.
public struct KernelBTF {
  /// The type section and the string section of a BTF blob.
  private let types: UnsafeRawBufferPointer
  private let strings: UnsafeRawBufferPointer

  /// Where the kernel publishes its own BTF.
  public static let vmlinuxPath = "/sys/kernel/btf/vmlinux"

  /// Why a BTF blob could not give an offset.
  public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
    case malformed(String)
    case notFound(String)
    public var description: String {
      switch self {
      case .malformed(let detail): return "malformed BTF: \(detail)"
      case .notFound(let what): return "\(what) is not in the kernel's BTF"
      }
    }
  }

  /// Reads the header of `blob` (a whole BTF file); the blob must outlive this value.
  public init(blob: UnsafeRawBufferPointer) throws(Failure) {
    guard blob.count >= 24 else { throw .malformed("\(blob.count) bytes, shorter than a header") }
    let magic = blob.loadUnaligned(fromByteOffset: 0, as: UInt16.self)
    guard magic == 0xEB9F else { throw .malformed("magic 0x\(String(magic, radix: 16)), not 0xeb9f") }
    func word(_ offset: Int) -> Int { Int(blob.loadUnaligned(fromByteOffset: offset, as: UInt32.self)) }
    let headerLength = word(4)
    let (typeStart, typeLength) = (headerLength + word(8), word(12))
    let (stringStart, stringLength) = (headerLength + word(16), word(20))
    guard headerLength >= 24, typeStart <= blob.count, typeLength <= blob.count - typeStart,
      stringStart <= blob.count, stringLength <= blob.count - stringStart
    else { throw .malformed("sections lie outside the \(blob.count) bytes") }
    types = UnsafeRawBufferPointer(rebasing: blob[typeStart..<(typeStart + typeLength)])
    strings = UnsafeRawBufferPointer(rebasing: blob[stringStart..<(stringStart + stringLength)])
  }

  /// The byte offset of `member` in `struct name`, looking through anonymous struct and union
  /// members (a randomized or grouped layout puts fields in those); the first struct of that
  /// name with such a member wins (the kernel has one `task_struct`).
  public func offset(of member: String, inStruct name: String) throws(Failure) -> Int {
    let records = try typeRecords()
    // Anonymous members can nest (and a hostile blob can make them cycle): members looked at
    // are bounded in all, so the search stays linear in the blob's size.
    var budget = types.count / 12 + 64
    for id in 1..<records.count where records[id].kind == Kind.structure && equals(records[id].name, name) {
      if let offset = try memberOffset(member, in: id, records: records, depth: 0, budget: &budget) { return offset }
    }
    throw .notFound("struct \(name) with a member \(member)")
  }

  /// The offset of variable `name` in data section `section` (per-CPU variables are in
  /// `.data..percpu`), as the section's record lists it.
  public func offset(ofVariable name: String, inSection section: String) throws(Failure) -> Int {
    let records = try typeRecords()
    for id in 1..<records.count where records[id].kind == Kind.dataSection && equals(records[id].name, section) {
      let record = records[id]
      for v in 0..<record.vlen {
        let at = record.offset + 12 + v * 12
        let variable = Int(types.loadUnaligned(fromByteOffset: at, as: UInt32.self))
        guard variable > 0, variable < records.count, records[variable].kind == Kind.variable,
          equals(records[variable].name, name)
        else { continue }
        return Int(types.loadUnaligned(fromByteOffset: at + 4, as: UInt32.self))
      }
    }
    throw .notFound("variable \(name) in section \(section)")
  }

  // MARK: Type records

  private enum Kind {
    static let int: UInt32 = 1, array: UInt32 = 3, structure: UInt32 = 4, union: UInt32 = 5
    static let enumeration: UInt32 = 6, typedef: UInt32 = 8, volatile: UInt32 = 9, const: UInt32 = 10
    static let restrict: UInt32 = 11, funcProto: UInt32 = 13, variable: UInt32 = 14, dataSection: UInt32 = 15
    static let declTag: UInt32 = 17, typeTag: UInt32 = 18, enum64: UInt32 = 19
  }

  /// One type: where its record starts, its name's string offset, kind, vlen, kind flag and
  /// its size-or-type word.
  private struct Record {
    var offset: Int
    var name: Int
    var kind: UInt32
    var vlen: Int
    var kindFlag: Bool
    var sizeOrType: Int
  }

  /// Where each type's record starts in the type section: element `i` is type id `i + 1`.
  private func typeRecords() throws(Failure) -> Records {
    var starts: [UInt32] = []
    starts.reserveCapacity(types.count / 24)
    var offset = 0
    while offset < types.count {
      guard types.count - offset >= 12 else { throw .malformed("a type record cut short at \(offset)") }
      let record = Self.record(in: types, at: offset)
      let extra: Int
      switch record.kind {
      case Kind.int, Kind.variable, Kind.declTag: extra = 4
      case Kind.array: extra = 12
      case Kind.structure, Kind.union, Kind.dataSection, Kind.enum64: extra = record.vlen * 12
      case Kind.enumeration, Kind.funcProto: extra = record.vlen * 8
      case Kind.typedef, Kind.volatile, Kind.const, Kind.restrict, Kind.typeTag, 2, 7, 12, 16: extra = 0  // and ptr, fwd, func, float
      default: throw .malformed("type \(starts.count + 1) has unknown kind \(record.kind)")
      }
      guard types.count - offset - 12 >= extra else {
        throw .malformed("type \(starts.count + 1) runs past the type section")
      }
      starts.append(UInt32(offset))
      offset += 12 + extra
    }
    return Records(types: types, starts: starts)
  }

  /// The type records by id (id 0 is `void`, which has none).
  private struct Records {
    let types: UnsafeRawBufferPointer
    let starts: [UInt32]
    var count: Int { starts.count + 1 }
    subscript(id: Int) -> Record { KernelBTF.record(in: types, at: Int(starts[id - 1])) }
  }

  private static func record(in types: UnsafeRawBufferPointer, at offset: Int) -> Record {
    let info = types.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
    return Record(
      offset: offset, name: Int(types.loadUnaligned(fromByteOffset: offset, as: UInt32.self)),
      kind: (info >> 24) & 0x1f, vlen: Int(info & 0xffff), kindFlag: info >> 31 != 0,
      sizeOrType: Int(types.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self)))
  }

  /// `member`'s byte offset in struct or union `id`, or nil when it has none.
  private func memberOffset(_ member: String, in id: Int, records: Records, depth: Int, budget: inout Int)
    throws(Failure) -> Int?
  {
    guard depth < 8 else { return nil }
    let record = records[id]
    for m in 0..<record.vlen {
      budget -= 1
      guard budget >= 0 else { throw .malformed("anonymous members nest past any real struct") }
      let at = record.offset + 12 + m * 12
      let name = Int(types.loadUnaligned(fromByteOffset: at, as: UInt32.self))
      let type = Int(types.loadUnaligned(fromByteOffset: at + 4, as: UInt32.self))
      let rawOffset = types.loadUnaligned(fromByteOffset: at + 8, as: UInt32.self)
      let bits = Int(record.kindFlag ? rawOffset & 0x00ff_ffff : rawOffset)
      if name != 0 {
        if equals(name, member) {
          guard bits % 8 == 0 else { throw .malformed("member \(member) is a bit field") }
          return bits / 8
        }
        continue
      }
      // An anonymous member: look inside it (through typedefs and qualifiers).
      guard let inner = resolved(type, records: records),
        records[inner].kind == Kind.structure || records[inner].kind == Kind.union
      else { continue }
      if let offset = try memberOffset(member, in: inner, records: records, depth: depth + 1, budget: &budget) {
        return bits / 8 + offset
      }
    }
    return nil
  }

  /// Type `id` with typedefs and qualifiers looked through; nil for void or an id out of range.
  private func resolved(_ id: Int, records: Records) -> Int? {
    var id = id
    for _ in 0..<16 {
      guard id > 0, id < records.count else { return nil }
      switch records[id].kind {
      case Kind.typedef, Kind.volatile, Kind.const, Kind.restrict, Kind.typeTag: id = records[id].sizeOrType
      default: return id
      }
    }
    return nil
  }

  /// Whether the string at `offset` in the string section is `text` (byte for byte, then NUL).
  private func equals(_ offset: Int, _ text: String) -> Bool {
    var text = text
    return text.withUTF8 { utf8 in
      guard offset >= 0, offset < strings.count, strings.count - offset > utf8.count else { return false }
      for i in 0..<utf8.count where strings[offset + i] != utf8[i] { return false }
      return strings[offset + utf8.count] == 0
    }
  }
}

extension KernelBTF {
  /// The offset of `pid` in the kernel's `task_struct`, found once per process.
  public static func taskPIDOffset() throws(CaptureError) -> UInt32 {
    try cachedTaskPIDOffset.get()
  }

  private static let cachedTaskPIDOffset: Result<UInt32, CaptureError> = {
    do throws(CaptureError) {
      return .success(
        try withKernelBlob { blob throws(CaptureError) in
          do throws(Failure) {
            return UInt32(try KernelBTF(blob: blob).offset(of: "pid", inStruct: "task_struct"))
          } catch {
            throw .systemFile(path: vmlinuxPath, detail: error.description)
          }
        })
    } catch {
      return .failure(error)
    }
  }()

  /// Where a BPF program finds this CPU's KVM steal clock from the current task: task → cfs_rq
  /// (`se.cfs_rq`) → rq (`cfs_rq.rq`), then the distance from `runqueues` to `steal_time` in the
  /// per-CPU section. Nil where the kernel has no such variable (not a KVM guest kernel) or the
  /// fields are not there (no group scheduling); found once per process.
  public static func stealClockLayout() -> StealClockLayout? { cachedStealClockLayout }

  /// The offsets of `stealClockLayout()`.
  public struct StealClockLayout: Sendable, Equatable {
    public var taskCFSRunQueue: UInt32
    public var cfsRunQueueRunQueue: UInt32
    public var runQueueToStealTime: Int64
  }

  /// The steal clock layout in the BTF `blob`, or why there is none.
  static func stealClockLayout(blob: UnsafeRawBufferPointer) throws(Failure) -> StealClockLayout {
    let btf = try KernelBTF(blob: blob)
    let section = ".data..percpu"
    let steal = try btf.offset(ofVariable: "steal_time", inSection: section)
    let runqueues = try btf.offset(ofVariable: "runqueues", inSection: section)
    guard try btf.offset(of: "steal", inStruct: "kvm_steal_time") == 0 else {
      throw .notFound("kvm_steal_time with steal as its first field")
    }
    let taskEntity = try btf.offset(of: "se", inStruct: "task_struct")
    let entityQueue = try btf.offset(of: "cfs_rq", inStruct: "sched_entity")
    let queueRunQueue = try btf.offset(of: "rq", inStruct: "cfs_rq")
    return StealClockLayout(
      taskCFSRunQueue: UInt32(taskEntity + entityQueue), cfsRunQueueRunQueue: UInt32(queueRunQueue),
      runQueueToStealTime: Int64(steal) - Int64(runqueues))
  }

  private static let cachedStealClockLayout: StealClockLayout? = {
    do throws(CaptureError) {
      return try withKernelBlob { blob throws(CaptureError) in
        do throws(Failure) {
          return try stealClockLayout(blob: blob)
        } catch {
          throw .systemFile(path: vmlinuxPath, detail: error.description)
        }
      }
    } catch {
      return nil
    }
  }()

  /// Calls `body` with the kernel's BTF, mapped read-only (private: the kernel refuses a shared
  /// map of this file) or, where mapping is refused, read whole.
  private static func withKernelBlob<T>(_ body: (UnsafeRawBufferPointer) throws(CaptureError) -> T) throws(CaptureError)
    -> T
  {
    let fd = open(vmlinuxPath, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else {
      throw .systemFile(path: vmlinuxPath, detail: "cannot open: \(String(cString: strerror(errno)))")
    }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0, info.st_size > 0 else {
      throw .systemFile(path: vmlinuxPath, detail: "cannot tell its size")
    }
    let size = Int(info.st_size)
    if let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED {
      defer { munmap(mapped, size) }
      return try body(UnsafeRawBufferPointer(start: mapped, count: size))
    }
    var bytes = [UInt8](repeating: 0, count: size)
    var filled = 0
    while filled < size {
      let n = bytes.withUnsafeMutableBytes { raw in read(fd, raw.baseAddress.map { $0 + filled }, size - filled) }
      guard n > 0 else { break }
      filled += n
    }
    let result = bytes.withUnsafeBytes { raw in
      Result { () throws(CaptureError) in try body(UnsafeRawBufferPointer(rebasing: raw[0..<filled])) }
    }
    return try result.get()
  }
}
