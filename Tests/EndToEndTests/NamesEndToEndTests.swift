import Foundation
import PerfshTestSupport
import XCTest

/// Names and grouping on real runs: a stripped binary grouped by its CFI function ranges,
/// `--noinlines` against `perf report --no-inline`, `[k]` and `hide --kernel`, simple and
/// full C++ names, and the executable as the first mapping of a pprof export.
final class NamesEndToEndTests: XCTestCase {
  private var home: URL!

  override func setUpWithError() throws {
    home = try GoToolchain.temporaryDirectory("e2e-names")
  }

  override func tearDownWithError() throws {
    if let home { try? FileManager.default.removeItem(at: home) }
  }

  private func perfsh(_ script: String) throws -> ProcessResult {
    try PerfshBinary.run(["-c", script], environment: try PerfshBinary.environment(home: home), directory: home)
  }

  @discardableResult
  private func tool(_ arguments: [String]) throws -> String {
    let r = try ProcessRunner.run(URL(fileURLWithPath: "/usr/bin/env"), arguments, directory: home)
    guard r.status == 0 else { throw ToolFailure(description: "\(arguments.joined(separator: " ")): \(r.stderr)") }
    return r.stdout
  }

  /// Function name → file offset of its start, from `nm` and the executable segment.
  private func functionOffsets(_ binary: String) throws -> [String: UInt64] {
    var segment: (offset: UInt64, vaddr: UInt64)?
    for line in try tool(["readelf", "-lW", binary]).split(separator: "\n") where line.contains("R E") {
      let f = line.split(separator: " ")
      if f.first == "LOAD", let o = UInt64(f[1].dropFirst(2), radix: 16), let v = UInt64(f[2].dropFirst(2), radix: 16) {
        segment = (o, v)
      }
    }
    let seg = try XCTUnwrap(segment)
    var result: [String: UInt64] = [:]
    for line in try tool(["nm", binary]).split(separator: "\n") {
      let f = line.split(separator: " ")
      if f.count == 3, f[1] == "T" || f[1] == "t", let a = UInt64(f[0], radix: 16) {
        result[String(f[2])] = a - seg.vaddr + seg.offset
      }
    }
    return result
  }

  func testStrippedBinaryGetsOneRowPerFunctionWithTheUnstrippedShares() throws {
    try PerfEvents.skipUnlessAvailable()
    let binary = home.appendingPathComponent("ratio").path
    try tool(["cp", try Workloads.path("ratio"), binary])
    let offsets = try functionOffsets(binary)
    try tool(["strip", "-s", binary])
    let csv = home.appendingPathComponent("stripped.csv").path
    let r = try perfsh("run ./ratio; export csv \(csv)")
    XCTAssertEqual(r.status, 0, r.stderr)
    let rows = parseHeatmapCSV(try String(contentsOfFile: csv, encoding: .utf8))
    let ours = rows.filter { $0.key.hasPrefix("ratio+0x") }
    XCTAssertFalse(ours.isEmpty, "rows: \(rows.keys.sorted())")
    // Every row of the stripped binary is one function, named by its start.
    let starts = Set(offsets.values)
    for name in ours.keys {
      XCTAssertTrue(name.hasSuffix(" (no symbol)"), name)
      let hex = name.dropFirst("ratio+0x".count).prefix { $0.isHexDigit }
      XCTAssertTrue(UInt64(hex, radix: 16).map(starts.contains) ?? false, "\(name) is not a function start")
    }
    func share(_ function: String) throws -> Double {
      let offset = try XCTUnwrap(offsets[function])
      return Double(ours["ratio+0x\(String(offset, radix: 16)) (no symbol)"]?.cpuNanos ?? 0)
    }
    let hot = try share("hot60")
    let warm = try share("warm30")
    let cool = try share("cool10")
    let sum = hot + warm + cool
    XCTAssertGreaterThan(sum, 0, "the three functions are rows: \(ours.keys.sorted())")
    // The unstripped build's shares (testRatioWorkloadSharesAreSixThreeOne): 60 / 30 / 10.
    XCTAssertEqual(hot / sum * 100, 60, accuracy: 3)
    XCTAssertEqual(warm / sum * 100, 30, accuracy: 3)
    XCTAssertEqual(cool / sum * 100, 10, accuracy: 3)
  }

  func testDebiansStrippedGzipIsGroupedByItsFDEs() throws {
    try PerfEvents.skipUnlessAvailable()
    let gzip = "/usr/bin/gzip"
    guard FileManager.default.isExecutableFile(atPath: gzip) else { throw XCTSkip("no \(gzip)") }
    XCTAssertFalse(try tool(["readelf", "-SW", gzip]).contains(" .symtab "), "Debian's gzip is stripped")
    // The FDE ranges readelf reads from .eh_frame, as file offsets (through the text segment).
    var segment: (offset: UInt64, vaddr: UInt64)?
    for line in try tool(["readelf", "-lW", gzip]).split(separator: "\n") where line.contains("R E") {
      let f = line.split(separator: " ")
      if f.first == "LOAD", let o = UInt64(f[1].dropFirst(2), radix: 16), let v = UInt64(f[2].dropFirst(2), radix: 16) {
        segment = (o, v)
      }
    }
    let seg = try XCTUnwrap(segment)
    var fdeStarts = Set<UInt64>()
    for line in try tool(["readelf", "--debug-dump=frames", gzip]).split(separator: "\n") where line.contains(" FDE ") {
      guard let pc = line.range(of: "pc=") else { continue }
      let start = line[pc.upperBound...].prefix { $0.isHexDigit }
      if let a = UInt64(start, radix: 16), a >= seg.vaddr { fdeStarts.insert(a - seg.vaddr + seg.offset) }
    }
    XCTAssertGreaterThan(fdeStarts.count, 50)
    var input = ""
    for i in 0..<200_000 { input += "line \(i) of some text that compresses \(i % 97)\n" }
    try input.write(to: home.appendingPathComponent("input.txt"), atomically: true, encoding: .utf8)
    let csv = home.appendingPathComponent("gzip.csv").path
    let r = try perfsh("run \(gzip) -9 -kf input.txt; export csv \(csv)")
    XCTAssertEqual(r.status, 0, r.stderr)
    let rows = parseHeatmapCSV(try String(contentsOfFile: csv, encoding: .utf8)).filter { $0.key.hasPrefix("gzip+0x") }
    XCTAssertFalse(rows.isEmpty)
    for name in rows.keys {
      let hex = name.dropFirst("gzip+0x".count).prefix { $0.isHexDigit }
      XCTAssertTrue(
        name.hasSuffix(" (no symbol)") && (UInt64(hex, radix: 16).map(fdeStarts.contains) ?? false),
        "\(name) is not an FDE start")
    }
    XCTAssertLessThanOrEqual(rows.count, 40, "a handful of functions, not one row per address: \(rows.keys.sorted())")
  }

  static let inlineSource = """
    #include <stdint.h>
    #include <stdio.h>
    #include <stdlib.h>
    static volatile uint64_t sink;
    __attribute__((noinline)) void keep_frame(void) { __asm__ volatile(""); }
    static inline __attribute__((always_inline)) uint64_t mix(uint64_t x, uint64_t n) {
      for (uint64_t i = 0; i < n; i++) { x = x * 6364136223846793005ULL + 1442695040888963407ULL; x ^= x >> 29; }
      return x;
    }
    __attribute__((noinline)) uint64_t outer(uint64_t n) {
      keep_frame();
      uint64_t x = mix(n, 3 * n);  /* three quarters of the work, inlined */
      for (uint64_t i = 0; i < n; i++) { x = x * 2862933555777941757ULL + 3037000493ULL; x ^= x >> 31; }
      return x;
    }
    __attribute__((noinline)) uint64_t other(uint64_t n) {
      keep_frame();
      uint64_t x = n;
      for (uint64_t i = 0; i < 4 * n; i++) { x = x * 2862933555777941757ULL + 3037000493ULL; x ^= x >> 31; }
      return x;
    }
    int main(int argc, char **argv) {
      uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 60000000ULL;
      sink = outer(n) + other(n);
      printf("%llu\\n", (unsigned long long)sink);
      return 0;
    }
    """

  /// The `flat%` of `name` in a `top` table, or nil when it has no row.
  private func flatPercent(_ name: String, in text: String) -> Double? {
    for line in text.split(separator: "\n") {
      let f = line.split(separator: " ", omittingEmptySubsequences: true)
      guard f.count >= 6, f.dropFirst(5).joined(separator: " ").hasPrefix(name) else { continue }
      if f.dropFirst(5).first.map(String.init) == name, let v = Double(f[1].dropLast()) { return v }
    }
    return nil
  }

  func testNoInlinesAgreesWithPerfReportNoInline() throws {
    try PerfEvents.skipUnlessAvailable()
    try Self.inlineSource.write(to: home.appendingPathComponent("inl.c"), atomically: true, encoding: .utf8)
    try tool(["gcc", "-O2", "-g", "-fno-omit-frame-pointer", "-o", "inl", "inl.c"])
    let r = try perfsh("run ./inl; top 0; top 0 --noinlines")
    XCTAssertEqual(r.status, 0, r.stderr)
    let tables = Array(r.stdout.components(separatedBy: "Showing nodes").dropFirst())
    XCTAssertEqual(tables.count, 2)
    let inlined = try XCTUnwrap(flatPercent("mix", in: tables[0]), tables[0])
    XCTAssertGreaterThan(inlined, 20, "by default the inlined helper has its own row")
    XCTAssertNil(flatPercent("mix", in: tables[1]), "--noinlines charges it to outer:\n\(tables[1])")
    let ours = try XCTUnwrap(flatPercent("outer", in: tables[1]), tables[1])
    // Ground truth from perf on the same binary: self share of outer without inline frames.
    guard (try? tool(["perf", "--version"])) != nil else { throw XCTSkip("perf is not installed") }
    do {
      try tool(["perf", "record", "-q", "-e", "cpu-clock", "-F", "999", "-o", "perf.data", "./inl"])
    } catch {
      throw XCTSkip("perf record is not permitted here: \(error)")
    }
    let report = try tool([
      "perf", "report", "-i", "perf.data", "--no-inline", "--stdio", "--sort", "sym", "--percent-limit", "0",
    ])
    let perfLine = try XCTUnwrap(report.split(separator: "\n").first { $0.hasSuffix(" outer") }, report)
    let perfShare = try XCTUnwrap(Double(perfLine.split(separator: " ").first?.dropLast() ?? ""), String(perfLine))
    XCTAssertEqual(ours, perfShare, accuracy: 5, "perfsh --noinlines \(ours)% vs perf --no-inline \(perfShare)%")
    XCTAssertEqual(ours, 50, accuracy: 8, "by construction outer does half the work")
  }

  func testKernelFramesAreMarkedAndHideKernelRemovesThem() throws {
    try PerfEvents.skipUnlessAvailable()
    let source = """
      #include <fcntl.h>
      #include <unistd.h>
      int main(void) {
        char buf[4096] = {0};
        int fd = open("/dev/null", O_WRONLY);
        for (long i = 0; i < 1500000; i++) write(fd, buf, sizeof buf);
        return 0;
      }
      """
    try source.write(to: home.appendingPathComponent("sys.c"), atomically: true, encoding: .utf8)
    try tool(["gcc", "-O1", "-o", "sys", "sys.c"])
    let r = try perfsh("run ./sys; top 0; hide --kernel; top 0")
    XCTAssertEqual(r.status, 0, r.stderr)
    let tables = Array(r.stdout.components(separatedBy: "Showing nodes").dropFirst())
    XCTAssertEqual(tables.count, 2)
    guard tables[0].contains(" [k]") else {
      throw XCTSkip("no kernel samples (kernel.perf_event_paranoid excludes the kernel?):\n\(tables[0])")
    }
    XCTAssertFalse(tables[1].contains("[k]"), tables[1])
    XCTAssertTrue(tables[1].contains("write"), "kernel time is charged to the user function that called it")
  }

  func testCxxNamesAreSimpleByDefaultAndFullOnRequest() throws {
    try PerfEvents.skipUnlessAvailable()
    let source = """
      #include <cstdint>
      #include <cstdio>
      namespace demo {
      template <typename T> struct Acc {
        T x;
        __attribute__((noinline)) T spin(unsigned long n) const {
          T v = x;
          for (unsigned long i = 0; i < n; i++) v = v * 3 + 1;
          return v;
        }
      };
      }
      int main() {
        demo::Acc<std::uint64_t> a{1};
        std::printf("%llu\\n", (unsigned long long)a.spin(600000000UL));
      }
      """
    try source.write(to: home.appendingPathComponent("acc.cpp"), atomically: true, encoding: .utf8)
    try tool(["g++", "-O1", "-o", "acc", "acc.cpp"])
    let r = try perfsh("run ./acc; top 3; top 3 --names full; set names full; top 3")
    XCTAssertEqual(r.status, 0, r.stderr)
    let tables = Array(r.stdout.components(separatedBy: "Showing nodes").dropFirst())
    XCTAssertEqual(tables.count, 3)
    XCTAssertTrue(tables[0].contains(" demo::Acc::spin\n"), tables[0])
    XCTAssertTrue(tables[1].contains(" demo::Acc<unsigned long>::spin(unsigned long) const\n"), tables[1])
    XCTAssertEqual(tables[2], tables[1], "set names full is what --names full shows")
  }

  func testGoListWithoutDWARFUsesThePclntabLineTable() throws {
    try PerfEvents.skipUnlessAvailable()
    guard let go = GoToolchain.goPath else { throw XCTSkip("golang-go is not installed (scripts/test installs it)") }
    let source =
      "package main\n\nimport \"fmt\"\n\n//go:noinline\nfunc spinHot(n int) uint64 {\n\tx := uint64(1)\n"
      + "\tfor i := 0; i < n; i++ {\n\t\tx = x*6364136223846793005 + 1442695040888963407\n\t}\n\treturn x\n}\n\n"
      + "func main() { fmt.Println(spinHot(400_000_000)) }\n"
    try source.write(to: home.appendingPathComponent("main.go"), atomically: true, encoding: .utf8)
    // -s -w: no .symtab and no DWARF; only .gopclntab is left.
    _ = try GoToolchain.run([go, "build", "-ldflags=-s -w", "-o", "gohot", "main.go"], in: home)
    XCTAssertFalse(try tool(["readelf", "-SW", "gohot"]).contains(".debug_info"))
    let r = try perfsh("run ./gohot; list spinHot")
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertTrue(r.stdout.contains("ROUTINE ======================== main.spinHot in "), r.stdout)
    // The loop's two lines (8 and 9) carry the time; a line with samples shows a value.
    let loopLines = r.stdout.split(separator: "\n").filter {
      $0.hasSuffix("\tfor i := 0; i < n; i++ {") || $0.contains("x = x*6364136223846793005")
    }
    XCTAssertEqual(loopLines.count, 2, r.stdout)
    XCTAssertTrue(loopLines.contains { !$0.trimmingCharacters(in: .whitespaces).hasPrefix(".") }, r.stdout)
  }

  func testGoToolPprofNamesTheExecutableAsFile() throws {
    try PerfEvents.skipUnlessAvailable()
    guard let go = GoToolchain.goPath else { throw XCTSkip("golang-go is not installed (scripts/test installs it)") }
    let pb = home.appendingPathComponent("ratio.pb.gz").path
    let r = try perfsh("run \(try Workloads.path("ratio")); export pprof \(pb)")
    XCTAssertEqual(r.status, 0, r.stderr)
    let out = try GoToolchain.run([go, "tool", "pprof", "-top", "-symbolize=none", pb], in: home)
    XCTAssertTrue(out.contains("File: ratio\n"), out)
  }
}

/// A tool the test runs failed.
private struct ToolFailure: Error, CustomStringConvertible {
  var description: String
}

/// Tag filters and the tags report on a real two-thread run, against go tool pprof -tags.
final class TagsEndToEndTests: XCTestCase {
  private var home: URL!

  override func setUpWithError() throws {
    home = try GoToolchain.temporaryDirectory("e2e-tags")
  }

  override func tearDownWithError() throws {
    if let home { try? FileManager.default.removeItem(at: home) }
  }

  /// value → percent from a `-tags` style block for `key`.
  private func shares(_ text: String, key: String) -> [String: Double] {
    var result: [String: Double] = [:]
    var inKey = false
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      if trimmed.hasPrefix("\(key): Total") {
        inKey = true
        continue
      }
      if trimmed.isEmpty || trimmed.contains(": Total") {
        inKey = false
        continue
      }
      guard inKey, let open = trimmed.firstIndex(of: "("), let close = trimmed.firstIndex(of: "%"),
        let colon = trimmed.range(of: "): ")
      else { continue }
      let number = trimmed[trimmed.index(after: open)..<close].trimmingCharacters(in: .whitespaces)
      result[String(trimmed[colon.upperBound...])] = Double(number)
    }
    return result
  }

  func testTagsAndTagFocusOnThreads() throws {
    try PerfEvents.skipUnlessAvailable()
    let pb = home.appendingPathComponent("threads.pb.gz").path
    let r = try PerfshBinary.run(
      [
        "-c",
        "run \(try Workloads.path("threads")); tags; top 5 --tagfocus thread=alpha; top 5 --tagignore thread=alpha; export pprof \(pb)",
      ],
      environment: try PerfshBinary.environment(home: home), directory: home)
    XCTAssertEqual(r.status, 0, r.stderr)
    let ours = shares(r.stdout, key: "thread")
    let alpha = try XCTUnwrap(ours["worker-alpha"], r.stdout)
    let beta = try XCTUnwrap(ours["worker-beta"], r.stdout)
    XCTAssertEqual(alpha / beta, 2, accuracy: 0.4, "alpha does twice beta's work")
    let tables = Array(r.stdout.components(separatedBy: "Showing nodes").dropFirst())
    XCTAssertEqual(tables.count, 2)
    XCTAssertTrue(tables[0].contains("alpha_work") && !tables[0].contains("beta_work"), tables[0])
    XCTAssertTrue(tables[1].contains("beta_work") && !tables[1].contains("alpha_work"), tables[1])
    if let go = GoToolchain.goPath {
      let theirs = try ProcessRunner.run(URL(fileURLWithPath: go), ["tool", "pprof", "-tags", pb])
      XCTAssertEqual(theirs.status, 0, theirs.stderr)
      let goShares = shares(theirs.stdout, key: "thread")
      XCTAssertEqual(goShares["worker-alpha"] ?? -1, alpha, accuracy: 0.01, theirs.stdout)
      XCTAssertEqual(goShares["worker-beta"] ?? -1, beta, accuracy: 0.01, theirs.stdout)
    }
  }
}
