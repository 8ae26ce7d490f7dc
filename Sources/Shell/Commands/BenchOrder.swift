/// The order `bench` runs its two sides in. Both orders keep runs 2i and 2i+1 an A/B pair
/// (one of each), which the paired test of `compare` relies on; they differ in which side of
/// a pair goes first.
enum BenchOrder: Equatable, CustomStringConvertible {
  /// A B B A A B B A …: every four runs are balanced, so a linear drift cancels.
  case abba
  /// Each pair A B or B A by a coin from a SplitMix64 generator seeded with `seed`, so a
  /// periodic disturbance cannot line up with the order; the same seed gives the same order.
  case random(seed: UInt64)

  /// Parses `abba`, `random` (a fresh seed below a million, noted in the sessions) or `random:SEED`.
  init?(option text: String) {
    switch text.lowercased() {
    case "abba": self = .abba
    case "random": self = .random(seed: UInt64.random(in: 0...999_999))
    default:
      let lower = text.lowercased()
      guard lower.hasPrefix("random:"), let seed = UInt64(lower.dropFirst("random:".count)) else { return nil }
      self = .random(seed: seed)
    }
  }

  /// The counted order for `runs` per side.
  func sides(runs: Int) -> [BenchSide] {
    switch self {
    case .abba:
      return (0..<max(runs, 0)).flatMap { i in i % 2 == 0 ? [BenchSide.a, .b] : [.b, .a] }
    case .random(let seed):
      var generator = SplitMix64(seed: seed)
      return (0..<max(runs, 0)).flatMap { _ in generator.next() & 1 == 0 ? [BenchSide.a, .b] : [.b, .a] }
    }
  }

  /// `ABBA` or `random (seed 42)`, as the sessions' note shows it.
  var description: String {
    switch self {
    case .abba: return "ABBA"
    case .random(let seed): return "random (seed \(seed))"
    }
  }
}

/// SplitMix64 (Steele, Lea and Flood 2014): a tiny generator whose output depends only on the
/// seed, so a bench order can be repeated on any machine.
struct SplitMix64: RandomNumberGenerator {
  private var state: UInt64

  init(seed: UInt64) { state = seed }

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
