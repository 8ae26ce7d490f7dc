import ProfileModel

/// Generates a large, realistic-looking CPU profile for benchmarks: a seeded random call graph
/// of Go-like functions, two locations per function (some with an inlined callee), and
/// samples whose stacks are random walks of 20–80 frames down that graph.
struct BigProfileGenerator {
  var samples = 250_000
  var functions = 30_000
  var seed: UInt64 = 42
  /// `shared`: samples reuse a pool of call paths and vary near the leaves, as real profiles do;
  /// `unique`: every frame is a fresh random step, so nearly every frame is a new stack node
  /// (a worst case for the stack tree); `deep`: shared, with 190–200-frame stacks; `labels`:
  /// shared, with eight labels per sample (strings and numbers); `strings`: shared, with a
  /// 500 k-entry string table that the samples' labels refer to; `pooled`: every sample is one
  /// of 10 000 shared stacks (a long capture: a million samples over ten thousand stacks).
  var shape = Shape.shared

  enum Shape: String { case shared, unique, deep, labels, strings, pooled }

  /// True for the shapes built from a pool of shared trunk paths.
  var isShared: Bool { shape != .unique }

  func generate() -> Profile {
    var rng = SplitMix64(seed: seed)
    var p = Profile(sampleTypes: [
      ValueType(type: "samples", unit: "count"), ValueType(type: "cpu", unit: "nanoseconds"),
    ])
    p.periodType = ValueType(type: "cpu", unit: "nanoseconds")
    p.period = 10_000_000
    p.durationNanos = 60_000_000_000
    p.timeNanos = 1_700_000_000_000_000_000
    let exe = p.strings.intern("/usr/local/bin/bigservice")
    p.mappings = [
      Mapping(
        start: 0x40_0000, limit: 0x40_0000 + UInt64(functions) * 0x1000, fileOffset: 0, filename: exe,
        buildID: p.strings.intern("0123456789abcdef"), hasFunctions: true, hasFilenames: true,
        hasLineNumbers: true, hasInlineFrames: true)
    ]
    for i in 0..<functions {
      let pkg = "github.com/example/service/internal/pkg\(i / 200)"
      let name = p.strings.intern("\(pkg).(*Type\(i % 97)).Method\(i)")
      let file = p.strings.intern("\(pkg)/file\(i % 17).go")
      p.functions.append(Function(name: name, systemName: name, filename: file, startLine: Int64(i % 900 + 1)))
    }
    // Two call sites (locations) per function; one in ten also has a small callee inlined.
    for i in 0..<functions * 2 {
      let f = i / 2
      var lines = [Line(function: FunctionID(f), line: Int64(f % 900 + 5 + i % 2 * 7))]
      if rng.next() % 10 == 0 {
        let inlined = Int(rng.next() % UInt64(functions))
        lines.insert(Line(function: FunctionID(inlined), line: Int64(inlined % 900 + 2)), at: 0)
      }
      p.locations.append(
        Location(address: 0x40_0000 + UInt64(f) * 0x1000 + UInt64(i % 2) * 0x40, mapping: MappingID(0), lines: lines))
    }
    // Each function calls four others, mostly deeper in the numbering, so walks go down.
    let callees: [[Int]] = (0..<functions).map { f in
      (0..<4).map { _ in
        let span = max(1, functions - f - 1)
        return f + 1 < functions ? f + 1 + Int(rng.next() % UInt64(min(span, 2000))) : Int(rng.next() % 64)
      }
    }
    let thread = p.strings.intern("thread")
    let threads = (0..<8).map { p.strings.intern("worker-\($0)") }
    let extra = extraLabelStrings(&p)
    p.samples.reserveCapacity(samples)
    // Shared shape: a pool of trunk paths, each a random earlier trunk cut at a random depth
    // and extended by a random walk, so trunks share prefixes as real call paths do.
    var trunks: [[Int32]] = []
    var trunkEnds: [Int] = []
    if isShared {
      for t in 0..<(shape == .pooled ? 10_000 : max(1, samples / 12)) {
        var path: [Int32] = []
        var f = Int(rng.next() % 16)
        if t > 0 {
          let base = trunks[Int(rng.next() % UInt64(t))]
          path = Array(base.prefix(Int(rng.next() % UInt64(base.count + 1))))
          if let last = path.last { f = callees[Int(last) / 2][Int(rng.next() % 4)] }
        }
        let target = shape == .deep ? 190 + Int(rng.next() % 6) : 15 + Int(rng.next() % 56)
        while path.count < target {
          path.append(Int32(f * 2 + Int(rng.next() % 2)))
          f = callees[f][Int(rng.next() % 4)]
        }
        trunks.append(path)
        trunkEnds.append(f)
      }
    }
    for _ in 0..<samples {
      var node = StackID.root
      var f: Int
      var leafFrames: Int
      if isShared {
        let t = Int(rng.next() % UInt64(trunks.count))
        for loc in trunks[t] { node = p.stacks.child(of: node, location: LocationID(loc)) }
        f = trunkEnds[t]
        leafFrames = shape == .deep ? 5 : shape == .pooled ? 0 : 1 + Int(rng.next() % 10)
      } else {
        f = Int(rng.next() % 16)
        leafFrames = 20 + Int(rng.next() % 61)
      }
      for _ in 0..<leafFrames {
        let loc = LocationID(f * 2 + Int(rng.next() % 2))
        node = p.stacks.child(of: node, location: loc)
        f = callees[f][Int(rng.next() % 4)]
      }
      let count = Int64(1 + rng.next() % 3)
      var set = [Label(key: thread, string: threads[Int(rng.next() % 8)])]
      if shape == .labels {
        for k in 0..<7 {
          let key = extra.keys[k]
          set.append(
            k % 2 == 0
              ? Label(key: key, string: extra.values[Int(rng.next() % UInt64(extra.values.count))])
              : Label(key: key, number: Int64(rng.next() % 100_000), numberUnit: extra.unit))
        }
      } else if shape == .strings {
        set.append(Label(key: extra.keys[0], string: extra.values[Int(rng.next() % UInt64(extra.values.count))]))
      }
      let labels = p.labelSets.intern(set)
      p.samples.append(stack: node, values: [count, count * 10_000_000], labels: labels)
    }
    return p
  }
}

extension BigProfileGenerator {
  /// Label keys and string values for the `labels` (1 000 values) and `strings` (500 000) shapes.
  func extraLabelStrings(_ p: inout Profile) -> (keys: [StringID], values: [StringID], unit: StringID) {
    let keys = (0..<7).map { p.strings.intern("label-key-\($0)") }
    let count = shape == .strings ? 500_000 : shape == .labels ? 1_000 : 0
    let values = (0..<count).map { p.strings.intern("request/\($0)/span-\($0 &* 2_654_435_761 % 1_000_003)") }
    return (keys, values, p.strings.intern("bytes"))
  }
}

/// SplitMix64, so the benchmark file is the same on every machine.
struct SplitMix64 {
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
