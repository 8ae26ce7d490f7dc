import Foundation
import PerfshTestSupport
import ProfileModel
import XCTest

@testable import Formats

/// speedscope export, checked against the required fields of speedscope's published schema
/// (https://www.speedscope.app/file-format-schema.json, written out below).
final class SpeedscopeTests: XCTestCase {
  /// `required` of each definition in file-format-schema.json.
  static let requiredFile = ["$schema", "profiles", "shared"]
  static let requiredShared = ["frames"]
  static let requiredFrame = ["name"]
  static let requiredSampled = ["endValue", "name", "samples", "startValue", "type", "unit", "weights"]
  static let requiredEvented = ["endValue", "events", "name", "startValue", "type", "unit"]
  static let requiredEvent = ["at", "frame", "type"]
  /// FileFormat.ValueUnit's enum.
  static let units: Set<String> = ["bytes", "microseconds", "milliseconds", "nanoseconds", "none", "seconds"]

  /// Parses `text` with Foundation and checks every required field and every frame index;
  /// returns the sum of sampled weights and the profiles.
  private func validate(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> (
    Int64, [[String: Any]]
  ) {
    let root = try XCTUnwrap(
      JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], file: file, line: line)
    for key in Self.requiredFile { XCTAssertNotNil(root[key], "file lacks \(key)", file: file, line: line) }
    XCTAssertEqual(
      root["$schema"] as? String, "https://www.speedscope.app/file-format-schema.json", file: file, line: line)
    let shared = try XCTUnwrap(root["shared"] as? [String: Any], file: file, line: line)
    for key in Self.requiredShared { XCTAssertNotNil(shared[key], "shared lacks \(key)", file: file, line: line) }
    let frames = try XCTUnwrap(shared["frames"] as? [[String: Any]], file: file, line: line)
    for f in frames {
      for key in Self.requiredFrame { XCTAssertNotNil(f[key] as? String, "frame lacks \(key)", file: file, line: line) }
    }
    let profiles = try XCTUnwrap(root["profiles"] as? [[String: Any]], file: file, line: line)
    var total: Int64 = 0
    for p in profiles {
      XCTAssertTrue(
        Self.units.contains(p["unit"] as? String ?? ""), "unit \(p["unit"] ?? "nil")", file: file, line: line)
      switch p["type"] as? String {
      case "sampled":
        for key in Self.requiredSampled {
          XCTAssertNotNil(p[key], "sampled profile lacks \(key)", file: file, line: line)
        }
        let samples = try XCTUnwrap(p["samples"] as? [[Int]], file: file, line: line)
        let weights = try XCTUnwrap(p["weights"] as? [Int64], file: file, line: line)
        XCTAssertEqual(samples.count, weights.count, file: file, line: line)
        for s in samples {
          XCTAssertTrue(
            s.allSatisfy { frames.indices.contains($0) }, "frame index out of range in \(s)", file: file, line: line)
        }
        let sum = weights.reduce(0, +)
        XCTAssertEqual(p["endValue"] as? Int64, sum, file: file, line: line)
        total += sum
      case "evented":
        for key in Self.requiredEvented {
          XCTAssertNotNil(p[key], "evented profile lacks \(key)", file: file, line: line)
        }
        let events = try XCTUnwrap(p["events"] as? [[String: Any]], file: file, line: line)
        var open: [Int] = []
        var last: Int64 = 0
        for e in events {
          for key in Self.requiredEvent { XCTAssertNotNil(e[key], "event lacks \(key)", file: file, line: line) }
          let frame = try XCTUnwrap(e["frame"] as? Int, file: file, line: line)
          let at = try XCTUnwrap(e["at"] as? Int64, file: file, line: line)
          XCTAssertTrue(frames.indices.contains(frame), file: file, line: line)
          XCTAssertGreaterThanOrEqual(at, last, "events out of order", file: file, line: line)
          last = at
          if e["type"] as? String == "O" {
            open.append(frame)
          } else {
            XCTAssertEqual(
              open.popLast(), frame, "close does not match the innermost open frame", file: file, line: line)
          }
        }
        XCTAssertEqual(open, [], "frames left open", file: file, line: line)
      default:
        XCTFail("profile type \(p["type"] ?? "nil")", file: file, line: line)
      }
    }
    return (total, profiles)
  }

  func testSampledProfileHasRequiredFieldsValidFramesAndTheSessionTotal() throws {
    let profile = ProfileFixtures.cpu()
    let written = SpeedscopeWriter.write(profile, name: "cpu")
    let (total, profiles) = try validate(written.text)
    XCTAssertEqual(total, profile.total(column: profile.defaultValueIndex))
    XCTAssertEqual(written.summary.totalWeight, total)
    XCTAssertEqual(profiles.count, 1)
    XCTAssertEqual(profiles.first?["unit"] as? String, "nanoseconds")
    // The inlined frame: line2001 right after its caller line2000, leaf line1000 last.
    let frames = try XCTUnwrap(
      (try JSONSerialization.jsonObject(with: Data(written.text.utf8)) as? [String: Any]).flatMap {
        $0["shared"] as? [String: Any]
      }?["frames"]
        as? [[String: Any]])
    let names = frames.compactMap { $0["name"] as? String }
    let samples = try XCTUnwrap(profiles.first?["samples"] as? [[Int]])
    XCTAssertTrue(
      samples.contains { $0.map { names[$0] } == ["main", "line3000", "line2000", "line2001", "line1000"] },
      "\(samples)")
  }

  func testOneSampledProfilePerThreadWithItsName() throws {
    var b = ProfileBuilder(sampleTypes: [
      ValueType(type: "samples", unit: "count"), ValueType(type: "cpu", unit: "nanoseconds"),
    ])
    let pid = b.intern("pid")
    let tid = b.intern("tid")
    let thread = b.intern("thread")
    for (t, name, n) in [(101, "main", 3), (102, "worker", 2), (101, "main", 1)] {
      let labels = [
        Label(key: pid, number: 100), Label(key: tid, number: Int64(t)), Label(key: thread, string: b.intern(name)),
      ]
      b.addSample(rootFirstNames: ["main", "f\(t)"], values: [Int64(n), Int64(n) * 1_000_000], labels: labels)
    }
    let profile = b.build()
    let written = SpeedscopeWriter.write(profile, name: "threads")
    let (total, profiles) = try validate(written.text)
    XCTAssertEqual(total, 6_000_000)
    XCTAssertEqual(profiles.compactMap { $0["name"] as? String }, ["main (tid 101)", "worker (tid 102)"])
    // Consecutive samples of one stack merge; the thread's two separate runs stay one entry.
    XCTAssertEqual(profiles.first?["weights"] as? [Int64], [4_000_000])
  }

  func testTracedCallsBecomeBalancedEventedProfiles() throws {
    let written = SpeedscopeWriter.write(ChromeTraceTests.tracedProfile(), name: "traced")
    let (_, profiles) = try validate(written.text)
    XCTAssertEqual(written.summary.eventedProfiles, 2)
    XCTAssertEqual(profiles.filter { $0["type"] as? String == "evented" }.count, 2)
    let evented = profiles.filter { $0["type"] as? String == "evented" }
    XCTAssertEqual(evented.first?["endValue"] as? Int64, 2_000)
  }

  func testUnitsMapToSpeedscopes() {
    XCTAssertEqual(SpeedscopeWriter.unit(for: "nanoseconds"), "nanoseconds")
    XCTAssertEqual(SpeedscopeWriter.unit(for: "bytes"), "bytes")
    XCTAssertEqual(SpeedscopeWriter.unit(for: "count"), "none")
    XCTAssertEqual(SpeedscopeWriter.unit(for: "objects"), "none")
  }

  func testSpeedscopeGolden() {
    assertSnapshot(
      SpeedscopeWriter.write(ProfileFixtures.cpu(), name: "cpu", exporter: "perfsh test").text, named: "speedscope-cpu")
  }
}
