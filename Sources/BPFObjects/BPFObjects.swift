/// BPF programs compiled at build time (the `BPFCompile` plugin turns each `*.bpf` file of this
/// target into a static property holding its ELF object), loaded at run time by Capture's
/// `BPFObject`. Record layouts shared with Swift live in CBPF's `perfsh_bpf_shared.h`.
public enum BPFObjects {
  /// Decodes the base64 text the plugin embeds (a string literal compiles far faster than a
  /// large array literal).
  static func decode(_ text: String) -> [UInt8] {
    var table = [UInt8](repeating: 0xFF, count: 256)
    for (index, character) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
      table[Int(character)] = UInt8(index)
    }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(text.utf8.count / 4 * 3)
    var accumulator: UInt32 = 0
    var bits = 0
    for character in text.utf8 {
      let value = table[Int(character)]
      if value == 0xFF { continue }  // '=' padding
      accumulator = accumulator << 6 | UInt32(value)
      bits += 6
      if bits >= 8 {
        bits -= 8
        bytes.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
      }
    }
    return bytes
  }
}
