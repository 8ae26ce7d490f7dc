import ProfileModel

/// Hand-built profiles for tests, in the style of pprof's testdata (line1000, line2000…).
public enum ProfileFixtures {
  /// The value types of a Go CPU profile: `samples/count`, `cpu/nanoseconds`.
  public static let cpuTypes = [ValueType(type: "samples", unit: "count"), ValueType(type: "cpu", unit: "nanoseconds")]

  /// A CPU profile with an inlined frame, recursion, three mappings and two value columns.
  ///
  /// Functions: `main` (main.c), `line1000` (file1000.src), `line2000` with `line2001` inlined
  /// into it (file2000.src), `line3000` and `line3001` (file3000.src), `memcpy` (libc, no file).
  /// Samples (root first; values samples, cpu):
  /// - main:5 → line3000:6 → [line2000:4 ⊃ line2001:9] → line1000:1   100, 1s
  /// - main:5 → line3000:6 → [line2000:4 ⊃ line2001:9]                1, 10ms
  /// - main:5 → line3000:6 → line3001:2 → line3000:6                  5, 50ms (recursion)
  /// - main:5 → line1000:1 → memcpy                                   3, 30ms
  /// - main:5                                                         1, 10ms
  /// cpu: total 1.10s; flat line1000 1s, line3000 50ms, memcpy 30ms, line2001 10ms, main 10ms;
  /// cum main 1.10s, line3000 1.06s, line1000 1.03s, line2000 = line2001 1.01s, line3001 50ms,
  /// memcpy 30ms.
  public static func cpu() -> Profile {
    var b = ProfileBuilder(sampleTypes: cpuTypes)
    let exe = b.mapping(
      Mapping(
        start: 0x1000, limit: 0x9000, fileOffset: 0, filename: b.intern("/usr/bin/app"),
        hasFunctions: true, hasFilenames: true, hasLineNumbers: true, hasInlineFrames: true))
    let libc = b.mapping(
      Mapping(
        start: 0x7f00_0000, limit: 0x7f10_0000, fileOffset: 0,
        filename: b.intern("/lib/x86_64-linux-gnu/libc.so.6"), hasFunctions: true))
    _ = b.mapping(Mapping(start: 0x7f20_0000, limit: 0x7f30_0000, fileOffset: 0x1000, filename: b.intern("/lib/ld.so")))
    let main = b.function("main", file: "main.c", startLine: 1)
    let l1000 = b.function("line1000", file: "file1000.src", startLine: 1)
    let l2000 = b.function("line2000", file: "file2000.src", startLine: 1)
    let l2001 = b.function("line2001", file: "file2000.src", startLine: 8)
    let l3000 = b.function("line3000", file: "file3000.src", startLine: 4)
    let l3001 = b.function("line3001", file: "file3000.src", startLine: 1)
    let memcpy = b.function("memcpy", systemName: "__memcpy_avx_unaligned")
    let locMain = b.location(Location(address: 0x1100, mapping: exe, lines: [Line(function: main, line: 5)]))
    let loc1000 = b.location(Location(address: 0x1010, mapping: exe, lines: [Line(function: l1000, line: 1)]))
    let loc2000 = b.location(
      Location(
        address: 0x2010, mapping: exe,
        lines: [
          Line(function: l2001, line: 9), Line(function: l2000, line: 4),
        ]))
    let loc3000 = b.location(Location(address: 0x3010, mapping: exe, lines: [Line(function: l3000, line: 6)]))
    let loc3001 = b.location(Location(address: 0x3020, mapping: exe, lines: [Line(function: l3001, line: 2)]))
    let locMemcpy = b.location(Location(address: 0x7f00_0010, mapping: libc, lines: [Line(function: memcpy)]))
    let ms: Int64 = 1_000_000
    b.addSample(leafFirst: [loc1000, loc2000, loc3000, locMain], values: [100, 1000 * ms])
    b.addSample(leafFirst: [loc2000, loc3000, locMain], values: [1, 10 * ms])
    b.addSample(leafFirst: [loc3000, loc3001, loc3000, locMain], values: [5, 50 * ms])
    b.addSample(leafFirst: [locMemcpy, loc1000, locMain], values: [3, 30 * ms])
    b.addSample(leafFirst: [locMain], values: [1, 10 * ms])
    b.withProfile {
      $0.periodType = ValueType(type: "cpu", unit: "nanoseconds")
      $0.period = 10 * ms
      $0.durationNanos = 2000 * ms
    }
    return b.build()
  }

  /// Source text for the files of `cpu()`: each line reads `<file> line N`.
  public static func cpuSource(_ file: String) -> [String]? {
    let lengths = ["main.c": 8, "file1000.src": 6, "file2000.src": 12, "file3000.src": 10]
    guard let n = lengths[file] else { return nil }
    return (1...n).map { "\(file) line \($0)" }
  }

  /// A profile whose frames have no symbols in two libraries, plus one symbolized frame.
  /// Values (count): libfoo 0x10 → 7, libfoo 0x20 → 3 (both under `main`), libbar 0x30 → 2.
  public static func unsymbolized() -> Profile {
    var b = ProfileBuilder(sampleTypes: [ValueType(type: "samples", unit: "count")])
    let foo = b.mapping(Mapping(start: 0x1000, limit: 0x2000, fileOffset: 0, filename: b.intern("/opt/lib/libfoo.so")))
    let bar = b.mapping(Mapping(start: 0x3000, limit: 0x4000, fileOffset: 0, filename: b.intern("/opt/lib/libbar.so")))
    let main = b.location(function: b.function("main"))
    let a = b.location(Location(address: 0x1010, mapping: foo, lines: []))
    let c = b.location(Location(address: 0x1020, mapping: foo, lines: []))
    let d = b.location(Location(address: 0x3030, mapping: bar, lines: []))
    b.addSample(leafFirst: [a, main], values: [7])
    b.addSample(leafFirst: [c, main], values: [3])
    b.addSample(leafFirst: [d], values: [2])
    return b.build()
  }

  /// A profile with many small functions under `main`: `f0` … `f<n-1>` with cpu value
  /// `(i + 1) × 1ms` each (for dropped-node and row-limit tests).
  public static func fanOut(_ n: Int) -> Profile {
    var b = ProfileBuilder(sampleTypes: cpuTypes)
    let main = b.location(function: b.function("main"))
    for i in 0..<n {
      let f = b.location(function: b.function("f\(i)"))
      b.addSample(leafFirst: [f, main], values: [Int64(i + 1), Int64(i + 1) * 1_000_000])
    }
    return b.build()
  }

  /// `samples` samples spread over about `stacks` distinct stacks of depth 4 to 24 drawn from
  /// `functions` functions (with recursion), each sample worth 1 count and 1ms of cpu.
  /// Deterministic for a given seed.
  public static func synthetic(samples: Int, stacks: Int, functions: Int = 500, seed: UInt64 = 42) -> Profile {
    var rng = SplitMix64(seed: seed)
    var b = ProfileBuilder(sampleTypes: cpuTypes)
    let locs = (0..<functions).map { i in
      b.location(function: b.function("fn\(i)", file: "src/file\(i % 37).c", startLine: Int64(i)), line: Int64(i + 3))
    }
    var leaves: [StackID] = []
    leaves.reserveCapacity(stacks)
    for _ in 0..<stacks {
      let depth = 4 + Int(rng.next() % 21)
      var frames: [LocationID] = [locs[0]]
      for _ in 1..<depth { frames.append(locs[Int(rng.next() % UInt64(functions))]) }
      let node = b.withProfile { $0.stacks.intern(rootFirst: frames) }
      leaves.append(node)
    }
    b.withProfile { $0.samples.reserveCapacity(samples) }
    for _ in 0..<samples {
      // Skewed choice so some stacks are hot.
      let r = rng.next() % UInt64(stacks)
      let pick = Int((r * r) / UInt64(stacks))
      b.addSample(stack: leaves[pick], values: [1, 1_000_000])
    }
    return b.build()
  }
}

/// The seeded generator fixtures use (one implementation: `SeededGenerator`).
public typealias SplitMix64 = SeededGenerator

extension ProfileFixtures {
  /// A traced profile: exact call statistics for five functions, one with a very long C++ name
  /// and one Swift name, as the trace mode produces them.
  public static func traced() -> Profile {
    var b = ProfileBuilder(sampleTypes: [
      ValueType(type: "calls", unit: "count"), ValueType(type: "self", unit: "nanoseconds"),
    ])
    let us: Int64 = 1_000
    let rows: [(String, Int64, Int64, Int64, Int64)] = [
      ("utils.processCustomTags", 447_586, 165_606_820, 146 * us, 15 * us),
      ("exec.ProcessYAMLConfigFile", 199, 136_514_000, 760 * us, 662 * us),
      ("utils.UnmarshalYAMLFromFile", 53_429, 4_381_178, 418 * us, 226 * us),
      (
        "std::__1::vector<std::__1::basic_string<char>, std::__1::allocator<std::__1::basic_string<char>>>::push_back(std::__1::basic_string<char> const&)",
        1024, 4_270_000, 146 * us, 15 * us
      ),
      ("Swift.Array.append(__owned A) -> ()", 1, 6_233_000, 6_233 * us, 6_233 * us),
    ]
    var stats: [FunctionID: CallStatistics] = [:]
    for (name, calls, selfNanos, maxNanos, p95) in rows {
      let f = b.function(name)
      b.addSample(leafFirst: [b.location(function: f)], values: [calls, selfNanos])
      stats[f] = CallStatistics(
        calls: calls, selfNanos: selfNanos, totalNanos: selfNanos, maxSelfNanos: maxNanos, p95SelfNanos: p95)
    }
    b.withProfile {
      $0.callStatistics = stats
      $0.run.elapsedNanos = 400_000_000
      $0.run.cpuNanos = 330_000_000
    }
    return b.build()
  }
}

extension ProfileFixtures {
  /// A CPU profile where `main` calls each named function with the given self time in
  /// milliseconds (one sample per millisecond), as `compare` tests need.
  public static func selfTimes(_ selfMillis: [String: Int64], elapsed: Int64? = nil, cpu: Int64? = nil) -> Profile {
    var b = ProfileBuilder(sampleTypes: cpuTypes)
    for name in selfMillis.keys.sorted() {
      let ms = selfMillis[name] ?? 0
      b.addSample(rootFirstNames: ["main", name], values: [ms, ms * 1_000_000])
    }
    b.withProfile {
      $0.run.elapsedNanos = elapsed
      $0.run.cpuNanos = cpu
      $0.run.command = ["./app"]
    }
    return b.build()
  }
}

extension ProfileFixtures {
  /// A count-only profile, as `load x.folded` makes: one `samples/count` column, no time.
  public static func countsOnly() -> Profile {
    var b = ProfileBuilder(sampleTypes: [ValueType(type: "samples", unit: "count")])
    b.addSample(rootFirstNames: ["main", "parse", "scan"], values: [30])
    b.addSample(rootFirstNames: ["main", "parse"], values: [20])
    b.addSample(rootFirstNames: ["main", "emit"], values: [45])
    return b.build()
  }
}
