/// Builds a minimal 64-bit little-endian ELF file holding the given sections (no segments),
/// so parsers that take an `ELFFile` can be fed raw section bytes.
enum TinyELF {
  struct Section {
    var name: String
    var address: UInt64
    var bytes: [UInt8]
  }

  static func build(_ sections: [Section]) -> [UInt8] {
    var names: [UInt8] = [0]
    var nameOffsets: [UInt32] = []
    for s in sections + [Section(name: ".shstrtab", address: 0, bytes: [])] {
      nameOffsets.append(UInt32(names.count))
      names += Array(s.name.utf8) + [0]
    }
    var out = [UInt8](repeating: 0, count: 64)
    var placed: [(offset: Int, size: Int)] = []
    for s in sections {
      while out.count % 8 != 0 { out.append(0) }
      placed.append((out.count, s.bytes.count))
      out += s.bytes
    }
    let namesOffset = out.count
    out += names
    while out.count % 8 != 0 { out.append(0) }
    let shoff = out.count
    let count = sections.count + 2
    out += [UInt8](repeating: 0, count: 64)  // the null section
    for (i, s) in sections.enumerated() {
      out += header(
        name: nameOffsets[i], type: 1, flags: 2, address: s.address, offset: placed[i].offset, size: placed[i].size)
    }
    out += header(
      name: nameOffsets[sections.count], type: 3, flags: 0, address: 0, offset: namesOffset, size: names.count)
    // e_ident, e_type ET_DYN, e_machine x86-64, e_version, e_shoff, e_ehsize, e_shentsize, e_shnum, e_shstrndx.
    out.replaceSubrange(0..<7, with: [0x7f, 0x45, 0x4c, 0x46, 2, 1, 1])
    put(&out, 16, UInt16(3))
    put(&out, 18, UInt16(62))
    put(&out, 20, UInt32(1))
    put(&out, 40, UInt64(shoff))
    put(&out, 52, UInt16(64))
    put(&out, 58, UInt16(64))
    put(&out, 60, UInt16(count))
    put(&out, 62, UInt16(count - 1))
    return out
  }

  private static func header(name: UInt32, type: UInt32, flags: UInt64, address: UInt64, offset: Int, size: Int)
    -> [UInt8]
  {
    var h = [UInt8](repeating: 0, count: 64)
    put(&h, 0, name)
    put(&h, 4, type)
    put(&h, 8, flags)
    put(&h, 16, address)
    put(&h, 24, UInt64(offset))
    put(&h, 32, UInt64(size))
    put(&h, 48, UInt64(1))
    return h
  }

  private static func put<T: FixedWidthInteger>(_ bytes: inout [UInt8], _ at: Int, _ value: T) {
    withUnsafeBytes(of: value.littleEndian) { raw in
      for (i, b) in raw.enumerated() { bytes[at + i] = b }
    }
  }
}
