import ProfileModel

/// Synthetic profiles for format tests: one small profile that uses every field pprof has,
/// and seeded random profiles of any size.
public enum FixtureProfiles {
  /// A small profile with two value columns, two mappings (all flags), inlined lines,
  /// string and numeric labels, a folded location, comments, drop/keep frames, a doc URL,
  /// period, time and duration, and two separate samples on the same stack.
  public static func rich() -> Profile {
    var b = ProfileBuilder(sampleTypes: [
      ValueType(type: "samples", unit: "count"), ValueType(type: "cpu", unit: "nanoseconds"),
    ])
    let exe = b.mapping(
      Mapping(
        start: 0x400000, limit: 0x800000, fileOffset: 0x1000, filename: b.intern("/usr/bin/app"),
        buildID: b.intern("abc123"), hasFunctions: true, hasFilenames: true, hasLineNumbers: true,
        hasInlineFrames: true))
    let libc = b.mapping(
      Mapping(
        start: 0x7f00_0000_0000, limit: 0x7f00_0010_0000, fileOffset: 0, filename: b.intern("/lib/libc.so.6"),
        hasFunctions: true))
    let main = b.function("main.main", file: "main.go", startLine: 10)
    let parse = b.function("main.parse", systemName: "_main_parse_mangled", file: "parse.go", startLine: 20)
    let scan = b.function("main.scan", file: "scan.go", startLine: 30)
    let next = b.function("main.next", file: "scan.go", startLine: 40)
    let memcpy = b.function("memcpy", file: "", startLine: 0)
    let lMain = b.location(
      Location(address: 0x401000, mapping: exe, lines: [Line(function: main, line: 12, column: 3)]))
    let lParse = b.location(Location(address: 0x402000, mapping: exe, lines: [Line(function: parse, line: 25)]))
    // scan with next inlined into it: innermost first.
    let lScan = b.location(
      Location(
        address: 0x403000, mapping: exe,
        lines: [Line(function: next, line: 44, column: 7), Line(function: scan, line: 33)]))
    let lMemcpy = b.location(
      Location(address: 0x7f00_0000_1234, mapping: libc, lines: [Line(function: memcpy)], isFolded: true))
    let lUnknown = b.location(Location(address: 0xdead, lines: []))

    let thread = [Label(key: b.intern("thread"), string: b.intern("worker-1"))]
    let bytes = [Label(key: b.intern("bytes"), number: 4096, numberUnit: b.intern("bytes"))]
    b.addSample(leafFirst: [lScan, lParse, lMain], values: [3, 30_000_000], labels: thread)
    b.addSample(leafFirst: [lScan, lParse, lMain], values: [2, 20_000_000], labels: thread)
    b.addSample(leafFirst: [lMemcpy, lScan, lParse, lMain], values: [5, 50_000_000], labels: bytes + thread)
    b.addSample(leafFirst: [lParse, lMain], values: [1, 10_000_000])
    b.addSample(leafFirst: [lUnknown, lMain], values: [4, 40_000_000])
    b.addSample(leafFirst: [lMain, lParse, lMain], values: [1, 10_000_000])
    b.withProfile { p in
      p.defaultSampleType = 1
      p.periodType = ValueType(type: "cpu", unit: "nanoseconds")
      p.period = 10_000_000
      p.timeNanos = 1_700_000_000_123_456_789
      p.durationNanos = 2_500_000_000
      p.comments = ["made by perfsh tests", "second comment"]
      p.dropFrames = "runtime\\..*"
      p.keepFrames = "main\\..*"
      p.docURL = "https://example.com/profile-docs"
    }
    return b.build()
  }

  /// A seeded random profile: `functions` functions, `locations` locations (some with inlined
  /// lines), stacks of 1…`maxDepth` frames, two value columns (`samples/count`, `cpu/nanoseconds`).
  public static func random(
    seed: UInt64, samples: Int, functions: Int = 200, locations: Int = 400, maxDepth: Int = 24
  ) -> Profile {
    var rng = SeededGenerator(seed: seed)
    var p = Profile(sampleTypes: [
      ValueType(type: "samples", unit: "count"), ValueType(type: "cpu", unit: "nanoseconds"),
    ])
    p.periodType = ValueType(type: "cpu", unit: "nanoseconds")
    p.period = 10_000_000
    for i in 0..<3 {
      let start = UInt64(0x40_0000 + i * 0x100_0000)
      let file = p.strings.intern("/bin/m\(i)")
      p.mappings.append(
        Mapping(
          start: start, limit: start + 0x100_0000, fileOffset: 0, filename: file,
          hasFunctions: true, hasFilenames: true, hasLineNumbers: true))
    }
    for i in 0..<functions {
      let name = p.strings.intern("pkg\(i % 7).fn\(i)")
      let file = p.strings.intern("src/f\(i % 13).go")
      p.functions.append(Function(name: name, systemName: name, filename: file, startLine: Int64(i)))
    }
    p.locations = LocationTable(
      (0..<locations).map { i in
        let lineCount = Int.random(in: 0..<8, using: &rng) == 0 ? 2 : 1
        let lines = (0..<lineCount).map { _ in
          Line(
            function: FunctionID(Int.random(in: 0..<functions, using: &rng)),
            line: Int64.random(in: 1...500, using: &rng)
          )
        }
        let m = MappingID(i % 3)
        return Location(address: p.mappings[m.index].start + UInt64(i * 16), mapping: m, lines: lines)
      })
    let key = p.strings.intern("thread")
    let threads = (0..<4).map { p.strings.intern("t\($0)") }
    p.samples.reserveCapacity(samples)
    for _ in 0..<samples {
      let depth = Int.random(in: 1...maxDepth, using: &rng)
      var node = StackID.root
      // Roots come from a small set so stacks share prefixes, as real ones do.
      for d in 0..<depth {
        let bound = d < 3 ? min(locations, 4 + d * 4) : locations
        node = p.stacks.child(of: node, location: LocationID(Int.random(in: 0..<bound, using: &rng)))
      }
      let count = Int64.random(in: 1...5, using: &rng)
      var labels = LabelSetID.none
      if Bool.random(using: &rng) {
        labels = p.labelSets.intern([Label(key: key, string: threads[Int.random(in: 0..<4, using: &rng)])])
      }
      p.samples.append(stack: node, values: [count, count * 10_000_000], labels: labels)
    }
    return p
  }
}

/// SplitMix64: a small, fast, seeded generator so tests and fixtures are reproducible.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
  private var state: UInt64
  /// A generator that produces the same sequence for the same seed.
  public init(seed: UInt64) { state = seed }
  /// The next 64 random bits.
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
