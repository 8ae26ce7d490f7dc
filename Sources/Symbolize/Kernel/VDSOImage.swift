/// glibc's `getauxval` (declared in <sys/auxv.h>, which the Glibc module does not export).
@_silgen_name("getauxval")
private func _getauxval(_ type: UInt) -> UInt

/// `AT_SYSINFO_EHDR`: the auxiliary-vector entry holding the vDSO's ELF header address.
private let auxvSysinfoEHDR: UInt = 33

/// The vDSO image of this process, found through `getauxval(AT_SYSINFO_EHDR)`.
///
/// Every process on one kernel maps the same vDSO, so a profiled process's `[vdso]` frames
/// are symbolized from our own copy.
enum VDSOImage {
  /// The vDSO's bytes, sized from its ELF headers; nil when the kernel provides none.
  /// The corresponding C function is `getauxval`.
  static func memory() -> UnsafeRawBufferPointer? {
    let base = _getauxval(auxvSysinfoEHDR)
    guard base != 0, let pointer = UnsafeRawPointer(bitPattern: UInt(base)) else { return nil }
    let header = UnsafeRawBufferPointer(start: pointer, count: 64)
    guard let size = ELFFile.imageSize(header: header), size >= 64 else { return nil }
    return UnsafeRawBufferPointer(start: pointer, count: size)
  }
}
