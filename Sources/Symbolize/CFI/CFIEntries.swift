/// A parsed Common Information Entry: what every FDE that points at it shares.
struct CFICIE {
  var codeAlignment: UInt64
  var dataAlignment: Int64
  var returnAddressColumn: UInt16
  /// DW_EH_PE encoding of the FDEs' addresses (absolute 8 bytes in .debug_frame).
  var pointerEncoding: UInt8
  var hasAugmentationData: Bool
  var isSignalFrame: Bool
  /// Range of the initial instructions in the section.
  var instructions: Range<Int>
}

/// A parsed Frame Description Entry: one function's address range and its instructions.
struct CFIFDE {
  var start: UInt64
  var length: UInt64
  var cieOffset: Int
  var instructions: Range<Int>
}

/// One CFI section (`.eh_frame` or `.debug_frame`) with its link address.
struct CFISection {
  let bytes: UnsafeRawBufferPointer
  let address: UInt64
  let isDebugFrame: Bool

  /// Entry header at `offset`: (id-field offset, end of entry), or nil at a terminator or error.
  func entry(at offset: Int) -> (idOffset: Int, end: Int, is64: Bool)? {
    var r = CFIReader(bytes, offset: offset)
    guard let length32 = r.fixed(UInt32.self), length32 != 0 else { return nil }
    var length = UInt64(length32)
    var is64 = false
    if length32 == 0xffff_ffff {
      guard let l = r.fixed(UInt64.self) else { return nil }
      length = l
      is64 = true
    }
    let idOffset = r.offset
    guard length <= UInt64(bytes.count - idOffset) else { return nil }
    return (idOffset, idOffset + Int(length), is64)
  }

  /// Whether the entry whose id field is at `idOffset` is a CIE; else the offset of its CIE.
  func cieReference(idOffset: Int, is64: Bool) -> (isCIE: Bool, cieOffset: Int)? {
    var r = CFIReader(bytes, offset: idOffset)
    if is64 {
      guard let id = r.fixed(UInt64.self) else { return nil }
      if isDebugFrame { return id == .max ? (true, 0) : (false, Int(clamping: id)) }
      return id == 0 ? (true, 0) : (false, idOffset - Int(clamping: id))
    }
    guard let id = r.fixed(UInt32.self) else { return nil }
    if isDebugFrame { return id == 0xffff_ffff ? (true, 0) : (false, Int(id)) }
    return id == 0 ? (true, 0) : (false, idOffset - Int(id))
  }

  /// Parses the CIE starting at `offset`.
  func cie(at offset: Int) -> CFICIE? {
    guard let e = entry(at: offset), let ref = cieReference(idOffset: e.idOffset, is64: e.is64), ref.isCIE else {
      return nil
    }
    var r = CFIReader(
      UnsafeRawBufferPointer(rebasing: bytes[0..<e.end]), offset: e.idOffset + (e.is64 ? 8 : 4),
      baseAddress: address)
    guard let version = r.u8(), let augmentation = r.cString() else { return nil }
    if isDebugFrame && version >= 4 {
      guard let addressSize = r.u8(), addressSize == 8, r.u8() != nil else { return nil }
    }
    guard let code = r.uleb(), let data = r.sleb() else { return nil }
    let ra: UInt64?
    if version == 1 { ra = r.u8().map(UInt64.init) } else { ra = r.uleb() }
    guard let ra else { return nil }
    var cie = CFICIE(
      codeAlignment: code, dataAlignment: data, returnAddressColumn: UInt16(clamping: ra),
      pointerEncoding: 0x00, hasAugmentationData: false, isSignalFrame: false,
      instructions: 0..<0)
    if augmentation.first == UInt8(ascii: "z") {
      cie.hasAugmentationData = true
      // The augmentation data lies inside the CIE (a length near 2^63 would overflow the sum).
      guard let augLength = r.uleb(), augLength <= UInt64(r.bytes.count - r.offset) else { return nil }
      let augEnd = r.offset + Int(augLength)
      for c in augmentation.dropFirst() {
        switch c {
        case UInt8(ascii: "R"):
          guard let enc = r.u8() else { return nil }
          cie.pointerEncoding = enc
        case UInt8(ascii: "L"): guard r.u8() != nil else { return nil }
        case UInt8(ascii: "P"):
          guard let enc = r.u8() else { return nil }
          // The personality pointer's value is not needed; its size is.
          guard r.value(format: enc & 0x0f) != nil else { return nil }
        case UInt8(ascii: "S"): cie.isSignalFrame = true
        default: break
        }
      }
      r.offset = augEnd
    } else if augmentation == Array("eh".utf8) {
      guard r.skip(8) else { return nil }
    } else if !augmentation.isEmpty {
      return nil
    }
    guard r.offset <= e.end else { return nil }
    cie.instructions = r.offset..<e.end
    return cie
  }

  /// Parses the FDE starting at `offset`, given its CIE.
  func fde(at offset: Int, cie: CFICIE) -> CFIFDE? {
    guard let e = entry(at: offset), let ref = cieReference(idOffset: e.idOffset, is64: e.is64), !ref.isCIE else {
      return nil
    }
    var r = CFIReader(
      UnsafeRawBufferPointer(rebasing: bytes[0..<e.end]), offset: e.idOffset + (e.is64 ? 8 : 4),
      baseAddress: address)
    guard let start = r.pointer(encoding: cie.pointerEncoding & 0x7f),
      let length = r.value(format: cie.pointerEncoding & 0x0f)
    else { return nil }
    if cie.hasAugmentationData {
      guard let n = r.uleb(), r.skip(Int(clamping: n)) else { return nil }
    }
    return CFIFDE(start: start, length: length, cieOffset: ref.cieOffset, instructions: r.offset..<e.end)
  }

  /// The CIE offset of the FDE at `offset` (nil for a CIE or a bad entry).
  func fdeCIEOffset(at offset: Int) -> Int? {
    guard let e = entry(at: offset), let ref = cieReference(idOffset: e.idOffset, is64: e.is64), !ref.isCIE else {
      return nil
    }
    return ref.cieOffset
  }
}
