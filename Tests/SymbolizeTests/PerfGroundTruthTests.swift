import Foundation
import ProfileModel
import XCTest

@testable import Symbolize

/// Real samples as ground truth: `perf record -g` runs a fixture, `perf script` prints each
/// frame's address, symbol and binary plus the kernel's MMAP2 records; our Symbolizer, given
/// the same mappings and addresses, must name the frames as perf does.
final class PerfGroundTruthTests: XCTestCase {
  static let source = """
    #include <stdio.h>
    #include <stdlib.h>

    __attribute__((noinline)) long alpha(long n) {
      long s = 0;
      for (long i = 0; i < n; i++) s += i * 3 ^ (s >> 2);
      return s;
    }

    __attribute__((noinline)) int compare(const void *a, const void *b) {
      long x = *(const long *)a, y = *(const long *)b;
      return (x > y) - (x < y);
    }

    int main(int argc, char **argv) {
      long n = argc > 1 ? atol(argv[1]) : 1000;
      long *v = malloc(sizeof(long) * 2000000);
      for (long i = 0; i < 2000000; i++) v[i] = (i * 7919) % 1000003;
      qsort(v, 2000000, sizeof(long), compare);
      printf("%ld %ld\\n", alpha(n), v[1000]);
      return 0;
    }
    """

  struct PerfFrame {
    var relative: UInt64
    var symbol: String
    var dso: String
  }

  func testNamesMatchPerfOnRealSamples() throws {
    let fx = try Fixtures()
    guard (try? fx.run("perf", ["--version"])) != nil else { throw XCTSkip("perf is not installed") }
    try fx.write("work.c", Self.source)
    try fx.run("gcc", ["-O1", "-g", "-fno-omit-frame-pointer", "-o", "work", "work.c"])
    do {
      try fx.run(
        "perf", ["record", "-q", "-e", "cpu-clock", "-F", "999", "-g", "-o", "perf.data", "./work", "150000000"])
    } catch {
      throw XCTSkip("perf record is not permitted here: \(error)")
    }
    let script = try fx.run("perf", ["script", "-i", "perf.data", "--show-mmap-events", "-F", "ip,sym,dso"])

    // MMAP2 records of executable mappings: start, length, page offset, path.
    var mappings: [String: (start: UInt64, length: UInt64, offset: UInt64)] = [:]
    var frames: [PerfFrame] = []
    for line in script.split(separator: "\n") {
      if line.contains("PERF_RECORD_MMAP2"), line.contains("]: r-xp "),
        let open = line.firstIndex(of: "["), let marker = line.range(of: "]: r-xp ")
      {
        let inside = line[line.index(after: open)..<marker.lowerBound]  // 0xSTART(0xLEN) @ 0xOFF ...
        let parts = inside.split(separator: " ")
        let startLen = parts[0].split(separator: "(")
        guard parts.count >= 3, startLen.count == 2, let start = UInt64(startLen[0].dropFirst(2), radix: 16),
          let length = UInt64(startLen[1].dropFirst(2).dropLast(), radix: 16),
          let offset = UInt64(parts[2].hasPrefix("0x") ? parts[2].dropFirst(2) : parts[2], radix: 16)
        else { continue }
        mappings[String(line[marker.upperBound...])] = (start, length, offset)
        continue
      }
      let trimmed = line.drop { $0 == " " || $0 == "\t" }
      guard trimmed.count < line.count, let space = trimmed.firstIndex(of: " "),
        let ip = UInt64(trimmed[..<space], radix: 16),
        trimmed.hasSuffix(")"), let paren = trimmed.lastIndex(of: "(")
      else { continue }
      let symbol = trimmed[trimmed.index(after: space)..<paren].trimmingCharacters(in: .whitespaces)
      let dso = String(trimmed[trimmed.index(after: paren)..<trimmed.index(before: trimmed.endIndex)])
      frames.append(PerfFrame(relative: ip, symbol: symbol, dso: dso))
    }
    XCTAssertGreaterThan(frames.count, 100, "perf recorded too few frames")

    var profile = Profile(sampleTypes: [ValueType(type: "samples", unit: "count")])
    var mappingIDs: [String: MappingID] = [:]
    var checked: [(LocationID, PerfFrame)] = []
    for frame in frames where frame.symbol != "[unknown]" {
      let address: UInt64
      let mappingID: MappingID
      if frame.dso == "[kernel.kallsyms]" {
        address = frame.relative
        mappingID =
          mappingIDs[frame.dso]
          ?? {
            profile.mappings.append(
              Mapping(start: 0, limit: .max, fileOffset: 0, filename: profile.strings.intern("[kernel.kallsyms]")))
            return MappingID(profile.mappings.count - 1)
          }()
      } else if let m = mappings[frame.dso] {
        // perf prints user addresses relative to the file: address - start + page offset.
        address = frame.relative &- m.offset &+ m.start
        mappingID =
          mappingIDs[frame.dso]
          ?? {
            profile.mappings.append(
              Mapping(
                start: m.start, limit: m.start + m.length, fileOffset: m.offset,
                filename: profile.strings.intern(frame.dso)))
            return MappingID(profile.mappings.count - 1)
          }()
      } else {
        continue
      }
      mappingIDs[frame.dso] = mappingID
      let id = LocationID(profile.locations.count)
      profile.locations.append(Location(address: address, mapping: mappingID, lines: []))
      checked.append((id, frame))
    }
    Symbolizer().symbolize(&profile)

    var total: [String: Int] = [:]
    var matched: [String: Int] = [:]
    var mismatches: [String] = []
    for (id, frame) in checked {
      let ours =
        profile.locations[id.index].lines.last.map { profile.strings[profile.functions[$0.function.index].name] } ?? ""
      let group = frame.dso.hasSuffix("/work") ? "work" : baseName(frame.dso)
      total[group, default: 0] += 1
      if ours == frame.symbol {
        matched[group, default: 0] += 1
      } else if mismatches.count < 20 {
        mismatches.append("\(frame.dso) 0x\(String(frame.relative, radix: 16)): perf \(frame.symbol), ours \(ours)")
      }
    }
    XCTAssertGreaterThan(total["work"] ?? 0, 50)
    XCTAssertEqual(matched["work"] ?? 0, total["work"] ?? 0, "fixture frames: \(mismatches)")
    for (group, n) in total where group != "work" {
      XCTAssertGreaterThanOrEqual(Double(matched[group] ?? 0), 0.9 * Double(n), "\(group): \(mismatches)")
    }
    print(
      "perf ground truth:", total.map { "\($0.key) \(matched[$0.key] ?? 0)/\($0.value)" }.sorted(), mismatches.prefix(5)
    )
  }
}
