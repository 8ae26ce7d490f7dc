import CBPF
import Dispatch
import Glibc
import Syscalls

/// A BPF object (programs and maps compiled into perfsh by the BPFCompile plugin) opened from
/// its ELF bytes and loaded into the kernel: the one Swift wrapper around libbpf (CBPF).
/// Links and the object are released on `close()` or deinit; programs stop running then.
public final class BPFObject {
  private var object: OpaquePointer?
  private var links: [OpaquePointer] = []
  /// The object's name, for messages.
  public let name: String
  /// How many bytes of libbpf's and the verifier's messages are kept for an error.
  private static let logSize = 16 * 1024

  /// Opens `bytes` (an ELF object for the BPF machine); not yet loaded.
  public init(bytes: [UInt8], name: String) throws(CaptureError) {
    self.name = name
    var log = [CChar](repeating: 0, count: Self.logSize)
    var opened: OpaquePointer?
    let status = bytes.withUnsafeBytes { raw in
      perfsh_bpf_open(raw.baseAddress, raw.count, name, &opened, &log, log.count)
    }
    guard status == 0, let opened else { throw Self.failure("open of \(name)", status, log) }
    object = opened
  }

  deinit { close() }

  /// Sets the initial value of the object's `const volatile` globals (`.rodata`), before `load`.
  public func setConstants<T>(_ value: T) throws(CaptureError) {
    let status = withUnsafeBytes(of: value) { raw in perfsh_bpf_set_rodata(object, raw.baseAddress, raw.count) }
    guard status == 0 else { throw Self.failure("setting constants of \(name)", status, []) }
  }

  /// Resizes a map before `load`.
  public func setEntries(_ entries: Int, map: String) throws(CaptureError) {
    let status = perfsh_bpf_set_map_entries(object, map, UInt32(clamping: entries))
    guard status == 0 else { throw Self.failure("resizing map \(map) of \(name)", status, []) }
  }

  /// Makes map `map` of this object the existing map `descriptor` (of another loaded object, with
  /// the same definition), so two objects share one map; before `load`.
  public func reuseMap(_ map: String, descriptor: Int32) throws(CaptureError) {
    let status = perfsh_bpf_reuse_map(object, map, descriptor)
    guard status == 0 else { throw Self.failure("sharing map \(map) with \(name)", status, []) }
  }

  /// Loads every program into the kernel; a verifier refusal carries the verifier's log.
  public func load() throws(CaptureError) {
    var log = [CChar](repeating: 0, count: Self.logSize)
    let status = perfsh_bpf_load(object, &log, log.count)
    guard status == 0 else { throw Self.failure("load of \(name)", status, log) }
  }

  /// Runs `program` on every hit of an open perf event (a uprobe or tracepoint event), with
  /// `cookie` available to it through bpf_get_attach_cookie.
  public func attach(_ program: String, toPerfEvent descriptor: Int32, cookie: UInt64 = 0) throws(CaptureError) {
    var link: OpaquePointer?
    let status = perfsh_bpf_attach_perf_event(object, program, descriptor, cookie, &link)
    guard status == 0, let link else { throw Self.failure("attach of \(program)", status, []) }
    links.append(link)
  }

  /// Runs `program` on every hit of the kernel tracepoint `category:event`, on every CPU.
  public func attach(_ program: String, tracepoint category: String, _ event: String) throws(CaptureError) {
    var link: OpaquePointer?
    _ = Tracefs.root()  // libbpf reads the tracepoint's id there: mount it if nothing has yet
    let status = perfsh_bpf_attach_tracepoint(object, program, category, event, &link)
    guard status == 0, let link else { throw Self.failure("attach of \(program) to \(category):\(event)", status, []) }
    links.append(link)
  }

  /// Runs `program` on every hit of the kernel's raw tracepoint `event` (e.g. `sched_switch`):
  /// the tracepoint's arguments as they are, without the trace record a classic tracepoint
  /// formats first — the cheaper hook on events as frequent as context switches.
  public func attach(_ program: String, rawTracepoint event: String) throws(CaptureError) {
    var link: OpaquePointer?
    let status = perfsh_bpf_attach_raw_tracepoint(object, program, event, &link)
    guard status == 0, let link else {
      throw Self.failure("attach of \(program) to raw tracepoint \(event)", status, [])
    }
    links.append(link)
  }

  /// A map of the loaded object by name.
  public func map(_ mapName: String) throws(CaptureError) -> BPFMap {
    let descriptor = perfsh_bpf_map_fd(object, mapName)
    guard descriptor >= 0 else { throw Self.failure("finding map \(mapName) in \(name)", descriptor, []) }
    return BPFMap(descriptor: descriptor, name: mapName)
  }

  /// Detaches every program and frees the object on a background queue. The kernel waits out
  /// RCU grace periods as programs leave their hooks — 137–159 ms for the per-CPU sampler's
  /// filter on a 2-core guest — which would otherwise sit between the target's exit and its
  /// session; nothing is read from the object after this.
  public func closeInBackground() {
    let closing = Releasing(value: self)
    BackgroundRelease.run { closing.take()?.close() }
  }

  /// Detaches every program and frees the object (its maps close with it).
  public func close() {
    for link in links { perfsh_bpf_link_destroy(link) }
    links.removeAll()
    if let object { perfsh_bpf_close(object) }
    object = nil
  }

  /// How many values a per-CPU map returns per key.
  public static var possibleCPUs: Int { max(1, Int(perfsh_bpf_possible_cpus())) }

  static func failure(_ operation: String, _ status: Int32, _ log: [CChar]) -> CaptureError {
    let text = log.isEmpty ? "" : String(decoding: log.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return .bpf(operation: operation, errno: Errno(rawValue: -status), log: text)
  }
}

/// A map of a loaded `BPFObject`, read and written with fixed-layout keys and values (the C
/// structs of CBPF's perfsh_bpf_shared.h). Valid while its object is open.
public struct BPFMap: Sendable {
  public let descriptor: Int32
  public let name: String

  /// The value at `key`, or nil when the map has no such key.
  public func value<Key, Value>(at key: Key, as type: Value.Type) throws(CaptureError) -> Value? {
    var key = key
    let value = UnsafeMutablePointer<Value>.allocate(capacity: 1)
    defer { value.deallocate() }
    let status = withUnsafePointer(to: &key) { perfsh_bpf_map_lookup(descriptor, $0, value) }
    if status == -ENOENT { return nil }
    guard status == 0 else { throw BPFObject.failure("lookup in map \(name)", status, []) }
    return value.pointee
  }

  /// The per-CPU values at `key` of a per-CPU map (one per possible CPU).
  public func perCPUValues<Key, Value>(at key: Key, as type: Value.Type) throws(CaptureError) -> [Value] {
    var key = key
    let count = BPFObject.possibleCPUs
    let stride = (MemoryLayout<Value>.size + 7) / 8 * 8
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: stride * count, alignment: 8)
    defer { buffer.deallocate() }
    let status = withUnsafePointer(to: &key) { perfsh_bpf_map_lookup(descriptor, $0, buffer) }
    if status == -ENOENT { return [] }
    guard status == 0 else { throw BPFObject.failure("lookup in map \(name)", status, []) }
    return (0..<count).map { buffer.load(fromByteOffset: $0 * stride, as: Value.self) }
  }

  /// The per-CPU values at `key` of a per-CPU map whose value is `words` UInt64s (too large a
  /// struct to import, e.g. a histogram), one array per possible CPU; empty when there is no key.
  public func perCPUWords<Key>(at key: Key, words: Int) throws(CaptureError) -> [[UInt64]] {
    var key = key
    let count = BPFObject.possibleCPUs
    var buffer = [UInt64](repeating: 0, count: words * count)
    let status = withUnsafePointer(to: &key) { keyPointer in
      buffer.withUnsafeMutableBytes { perfsh_bpf_map_lookup(descriptor, keyPointer, $0.baseAddress) }
    }
    if status == -ENOENT { return [] }
    guard status == 0 else { throw BPFObject.failure("lookup in map \(name)", status, []) }
    return (0..<count).map { Array(buffer[($0 * words)..<(($0 + 1) * words)]) }
  }

  /// Stores `value` at `key` (creating or replacing).
  public func update<Key, Value>(_ key: Key, _ value: Value) throws(CaptureError) {
    var key = key
    var value = value
    let status = withUnsafePointer(to: &key) { keyPointer in
      withUnsafePointer(to: &value) { perfsh_bpf_map_update(descriptor, keyPointer, $0, 0) }
    }
    guard status == 0 else { throw BPFObject.failure("update of map \(name)", status, []) }
  }

  /// Removes `key`; true when it was there.
  @discardableResult
  public func delete<Key>(_ key: Key) throws(CaptureError) -> Bool {
    var key = key
    let status = withUnsafePointer(to: &key) { perfsh_bpf_map_delete(descriptor, $0) }
    if status == -ENOENT { return false }
    guard status == 0 else { throw BPFObject.failure("delete in map \(name)", status, []) }
    return true
  }

  /// Every key of a hash map, in the kernel's order (keys added while iterating may be missed).
  public func keys<Key>(as type: Key.Type) throws(CaptureError) -> [Key] {
    var keys: [Key] = []
    let next = UnsafeMutablePointer<Key>.allocate(capacity: 1)
    defer { next.deallocate() }
    var status = perfsh_bpf_map_next_key(descriptor, nil, next)
    while status == 0 {
      keys.append(next.pointee)
      var current = next.pointee
      status = withUnsafePointer(to: &current) { perfsh_bpf_map_next_key(descriptor, $0, next) }
    }
    guard status == -ENOENT else { throw BPFObject.failure("iterating map \(name)", status, []) }
    return keys
  }
}
