/// A differential flame graph: B's shape, each frame coloured by the change of its self value
/// from A (per run), red for more, blue for less.
///
/// When both sides have repeats, a frame is coloured only when the change of its function's
/// per-run self time is significant by `CompareVerdict` (the Mann–Whitney test with the noise
/// floor `compare` uses); repeats keep self time per function, so significance is per function
/// and every frame of a significant function with a change of the same sign is coloured.
public struct FlameDiff: Sendable {
  /// Per node of B's graph: the change as a share of the largest change shown (−1…1), or nil
  /// for grey (not significant, or no change).
  public var shade: [Double?]
  /// Per node of B's graph: B's self per run minus A's self per run at the same call path.
  public var delta: [Double]
  /// Whether both sides had repeats, so colours mean significant change.
  public var qualified: Bool
  /// Frames coloured (with `qualified`: frames that changed significantly).
  public var colouredFrames: Int
  /// Functions whose self time changed significantly (empty without `qualified`), sorted.
  public var significantFunctions: [String]
  /// Runs per side.
  public var runsA: Int
  public var runsB: Int

  /// Compares `a` with `b` (B's shape). `repeatsA` / `repeatsB` are the per-run self values by
  /// function name (`CompareSide.repeatSelf`); with fewer than two on either side colours are
  /// unqualified. `runsA` / `runsB` divide the summed profiles into per-run values.
  public init(
    a: FlameGraph, b: FlameGraph, runsA: Int, runsB: Int, repeatsA: [[String: Int64]] = [],
    repeatsB: [[String: Int64]] = [],
    alpha: Double = 0.05, noise: Double = CompareVerdict.defaultNoise
  ) {
    self.runsA = max(1, runsA)
    self.runsB = max(1, runsB)
    // A's node at each of B's call paths, matched by frame names from the root down.
    var aIndex: [Int64: Int] = [:]  // (A parent node + 1) << 32 | A name id
    var nameIDs: [String: Int32] = [:]
    func nameID(_ s: String) -> Int32 {
      if let id = nameIDs[s] { return id }
      let id = Int32(nameIDs.count)
      nameIDs[s] = id
      return id
    }
    let aFrameIDs = a.frames.map { nameID($0.name) }
    for (i, n) in a.nodes.enumerated() {
      aIndex[Int64(n.parent + 1) << 32 | Int64(aFrameIDs[Int(n.frame)])] = i
    }
    var matched = [Int](repeating: -1, count: b.nodes.count)
    var delta = [Double](repeating: 0, count: b.nodes.count)
    for (i, n) in b.nodes.enumerated() {
      let parentA = n.parent < 0 ? -1 : matched[Int(n.parent)]
      var selfA = 0.0
      if n.parent < 0 || parentA >= 0, let id = nameIDs[b.frames[Int(n.frame)].name],
        let j = aIndex[Int64(parentA + 1) << 32 | Int64(id)]
      {
        matched[i] = j
        selfA = Double(a.nodes[j].selfValue)
      }
      delta[i] = Double(n.selfValue) / Double(self.runsB) - selfA / Double(self.runsA)
    }
    self.delta = delta
    qualified = repeatsA.count >= 2 && repeatsB.count >= 2
    var verdictSign: [String: Double] = [:]  // function → sign of its significant change
    if qualified {
      let names = Set(b.frames.map(\.name))
      for name in names {
        let x = repeatsA.map { Double($0[name] ?? 0) }
        let y = repeatsB.map { Double($0[name] ?? 0) }
        guard let v = CompareVerdict(x, y, alpha: alpha, noise: noise), v.isSignificant else { continue }
        let median = { (s: [Double]) in s.sorted()[s.count / 2] }
        verdictSign[name] = median(y) >= median(x) ? 1 : -1
      }
    }
    significantFunctions = verdictSign.keys.sorted()
    var shown = [Bool](repeating: false, count: b.nodes.count)
    for i in b.nodes.indices where delta[i] != 0 {
      if qualified {
        guard let sign = verdictSign[b.frames[Int(b.nodes[i].frame)].name], sign * delta[i] > 0 else { continue }
      }
      shown[i] = true
    }
    let largest = zip(delta, shown).filter(\.1).map { abs($0.0) }.max() ?? 0
    shade = delta.indices.map { i in shown[i] && largest > 0 ? delta[i] / largest : nil }
    colouredFrames = shown.filter { $0 }.count
  }
}
