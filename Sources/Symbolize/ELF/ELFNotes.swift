/// The GNU build id and `.gnu_debuglink` of an ELF file: how a separate debug file is found.
extension ELFFile {
  /// The bytes of the NT_GNU_BUILD_ID note, from a note section or a PT_NOTE segment.
  public var buildID: [UInt8]? {
    for s in sections where s.type == 7 {  // SHT_NOTE
      if let d = data(of: s), let id = ELFFile.buildID(inNotes: d) { return id }
    }
    for p in segments where p.type == ELFFile.segmentNote {
      if let d = bytes.slice(offset: p.offset, size: p.fileSize), let id = ELFFile.buildID(inNotes: d) { return id }
    }
    return nil
  }

  /// The build id as lower-case hex ("" when the file has none).
  public var buildIDHex: String { buildID.map(hexString) ?? "" }

  /// Walks a note area (4-byte aligned name and descriptor) for the GNU build id.
  static func buildID(inNotes notes: UnsafeRawBufferPointer) -> [UInt8]? {
    var o = 0
    while let namesz = notes.readLE(UInt32.self, at: o), let descsz = notes.readLE(UInt32.self, at: o + 4),
      let type = notes.readLE(UInt32.self, at: o + 8)
    {
      let nameStart = o + 12
      let nameLen = (Int(namesz) + 3) & ~3
      let descStart = nameStart + nameLen
      let descLen = (Int(descsz) + 3) & ~3
      guard namesz < 1 << 16, descsz < 1 << 16, descStart + Int(descsz) <= notes.count else { return nil }
      if type == 3, namesz == 4, notes.readLE(UInt32.self, at: nameStart) == 0x0055_4e47, descsz > 0 {  // "GNU\0"
        return Array(UnsafeRawBufferPointer(rebasing: notes[descStart..<descStart + Int(descsz)]))
      }
      o = descStart + descLen
    }
    return nil
  }

  /// The file name and CRC from `.gnu_debuglink`, if present.
  public var debugLink: (name: String, crc: UInt32)? {
    guard let s = section(named: ".gnu_debuglink"), let d = data(of: s), let name = d.cString(at: 0), !name.isEmpty
    else { return nil }
    let crcOffset = (name.utf8.count + 1 + 3) & ~3
    return (name, d.readLE(UInt32.self, at: crcOffset) ?? 0)
  }
}
