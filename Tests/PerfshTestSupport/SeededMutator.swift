/// Deterministic input mutation for the parsers' mutation tests: the moves libFuzzer makes
/// (bit flips, truncations, insertions, splices, length-field changes, dictionary words),
/// driven by a seeded generator so a failing case reproduces from its round number.
public struct SeededMutator {
  private var rng: SeededGenerator
  /// Words worth inserting whole (keywords, separators, magic numbers).
  public var dictionary: [[UInt8]]

  /// A mutator that makes the same sequence of mutations for the same seed and inputs.
  public init(seed: UInt64, dictionary: [String] = []) {
    rng = SeededGenerator(seed: seed)
    self.dictionary = dictionary.map { Array($0.utf8) }
  }

  /// 1…`maxSteps` random mutations of `input`; `others` are splice partners.
  public mutating func mutate(_ input: [UInt8], others: [[UInt8]] = [], maxSteps: Int = 4) -> [UInt8] {
    var bytes = input
    for _ in 0..<Int.random(in: 1...maxSteps, using: &rng) {
      step(&bytes, others: others)
    }
    return bytes
  }

  /// A random index into `count` items (`count` > 0).
  public mutating func index(_ count: Int) -> Int { Int.random(in: 0..<count, using: &rng) }

  private mutating func step(_ bytes: inout [UInt8], others: [[UInt8]]) {
    let at = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &rng)
    switch Int.random(in: 0..<11, using: &rng) {
    case 0 where !bytes.isEmpty:
      bytes[at] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &rng)
    case 1 where !bytes.isEmpty:
      bytes.removeSubrange(at...)
    case 2:
      bytes.insert(UInt8.random(in: 0...255, using: &rng), at: at)
    case 3 where !bytes.isEmpty:
      bytes[at] = [0x00, 0x0a, 0x0d, 0x20, 0x7f, 0x80, 0xff][Int.random(in: 0..<7, using: &rng)]
    case 4 where !bytes.isEmpty:
      bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...32, using: &rng)))
    case 5:
      // A long varint: what huge lengths and ids look like in protobuf.
      bytes.insert(contentsOf: [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], at: at)
    case 6 where !bytes.isEmpty:
      // A little-endian length or offset field set to an edge value.
      let width = [2, 4, 8][Int.random(in: 0..<3, using: &rng)]
      let edges: [UInt64] = [0, 1, 7, 8, 0x7f, 0x80, 0xffff, 0x7fff_ffff, 0xffff_ffff, .max, .max - 7, 1 << 40]
      var value = edges[Int.random(in: 0..<edges.count, using: &rng)]
      for i in 0..<width where at + i < bytes.count {
        bytes[at + i] = UInt8(truncatingIfNeeded: value)
        value >>= 8
      }
    case 7 where !bytes.isEmpty:
      // Nudge a 32-bit field by a small amount (lengths off by a few).
      guard at + 4 <= bytes.count else { break }
      var v = UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
      v = v &+ UInt32(bitPattern: Int32.random(in: -16...16, using: &rng))
      for i in 0..<4 { bytes[at + i] = UInt8(truncatingIfNeeded: v >> (8 * i)) }
    case 8 where !others.isEmpty:
      // Splice: our head, another input's tail.
      let other = others[Int.random(in: 0..<others.count, using: &rng)]
      guard !other.isEmpty else { break }
      let from = Int.random(in: 0..<other.count, using: &rng)
      bytes = Array(bytes[..<at]) + other[from...]
    case 9 where !bytes.isEmpty:
      // Repeat a range (duplicated records, lines, fields).
      let end = min(bytes.count, at + Int.random(in: 1...64, using: &rng))
      let piece = Array(bytes[at..<end])
      for _ in 0..<Int.random(in: 1...4, using: &rng) { bytes.insert(contentsOf: piece, at: at) }
    default:
      if !dictionary.isEmpty {
        bytes.insert(contentsOf: dictionary[Int.random(in: 0..<dictionary.count, using: &rng)], at: at)
      } else if !bytes.isEmpty {
        bytes[at] = UInt8.random(in: 0...255, using: &rng)
      }
    }
  }
}
