import CLzma
import Glibc

/// MiniDebugInfo (`.gnu_debugdata`): an xz-compressed ELF file holding the `.symtab` a
/// stripped binary lacks (Fedora ships binaries this way). The one file that imports liblzma.
enum MiniDebugInfo {
  /// Most bytes a decompressed `.gnu_debugdata` may take (it is a symbol table, not DWARF).
  static let limit = 256 << 20

  /// The decompressed `.gnu_debugdata` of `elf` in its own anonymous mapping, or nil when the
  /// file has none or it does not decode (a broken section only costs the names it held).
  /// The corresponding C functions are `lzma_stream_decoder`, `lzma_code` and `mmap`.
  static func decompress(_ elf: ELFFile, path: String) -> MappedFile? {
    guard let section = elf.section(named: ".gnu_debugdata"), let data = elf.data(of: section), data.count > 0,
      let decoded = xzDecode(data, limit: limit), !decoded.isEmpty
    else { return nil }
    guard let p = mmap(nil, decoded.count, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), p != MAP_FAILED
    else { return nil }
    decoded.withUnsafeBytes { if let b = $0.baseAddress { p.copyMemory(from: b, byteCount: $0.count) } }
    mprotect(p, decoded.count, PROT_READ)
    return MappedFile(adopting: UnsafeRawBufferPointer(start: p, count: decoded.count), name: path + "[.gnu_debugdata]")
  }

  /// Decodes one or more concatenated .xz streams; nil on a format error or past `limit`.
  static func xzDecode(_ input: UnsafeRawBufferPointer, limit: Int) -> [UInt8]? {
    guard let base = input.baseAddress else { return nil }
    var stream = lzma_stream()
    guard lzma_stream_decoder(&stream, UInt64.max, perfsh_lzma_concatenated) == LZMA_OK else { return nil }
    defer { lzma_end(&stream) }
    stream.next_in = base.assumingMemoryBound(to: UInt8.self)
    stream.avail_in = input.count
    var out: [UInt8] = []
    let chunk = 1 << 16
    var buffer = [UInt8](repeating: 0, count: chunk)
    while true {
      let (ret, produced) = buffer.withUnsafeMutableBufferPointer { b -> (lzma_ret, Int) in
        stream.next_out = b.baseAddress
        stream.avail_out = chunk
        let r = lzma_code(&stream, LZMA_FINISH)
        return (r, chunk - stream.avail_out)
      }
      out.append(contentsOf: buffer[0..<produced])
      if out.count > limit { return nil }
      if ret == LZMA_STREAM_END { return out }
      if ret != LZMA_OK { return nil }
      if produced == 0, stream.avail_in == 0 { return nil }
    }
  }
}
