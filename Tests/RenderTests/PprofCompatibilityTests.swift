import Analysis
import Foundation
import PerfshTestSupport
import ProfileModel
import Render
import XCTest

/// Random profiles written by pprof's own `profile` package are read by `go tool pprof`, and
/// the same profiles built with `ProfileBuilder` go through perfsh's Analysis and Render:
/// `top` (every granularity, `-cum`, sample index, row limit, focus / ignore / hide), `peek`
/// and `list` must print the same text, character for character.
final class PprofCompatibilityTests: XCTestCase {
  struct Variant {
    var name: String
    var flags: [String]
    var render: (Profile) throws -> String
  }

  static func text(_ body: (inout String) throws -> Void) rethrows -> String {
    var s = ""
    try body(&s)
    return s
  }

  static func top(_ name: String, _ flags: [String], _ options: @escaping () throws -> TopOptions) -> Variant {
    Variant(name: name, flags: ["-top"] + flags) { p in
      try text { TopRenderer.write(try TopReport(profile: p, options: try options()), to: &$0) }
    }
  }

  let variants: [Variant] = [
    top("top", []) { TopOptions(nodeCount: nil) },
    top("top -cum", ["-cum"]) { TopOptions(nodeCount: nil, sortByCum: true) },
    top("top -lines", ["-lines"]) { TopOptions(graph: GraphOptions(granularity: .lines), nodeCount: nil) },
    top("top -addresses", ["-addresses"]) { TopOptions(graph: GraphOptions(granularity: .addresses), nodeCount: nil) },
    top("top samples", ["-sample_index=samples"]) { TopOptions(graph: GraphOptions(valueIndex: 0), nodeCount: nil) },
    top("top 5", ["-nodecount=5"]) { TopOptions(nodeCount: 5) },
    top("top focus", ["-focus=fn1"]) {
      TopOptions(graph: GraphOptions(filter: try ProfileFilter(focus: "fn1")), nodeCount: nil)
    },
    top("top ignore", ["-ignore=fn2"]) {
      TopOptions(graph: GraphOptions(filter: try ProfileFilter(focus: nil, ignore: "fn2")), nodeCount: nil)
    },
    top("top hide", ["-hide=fn3"]) {
      TopOptions(graph: GraphOptions(filter: try ProfileFilter(focus: nil, hide: "fn3")), nodeCount: nil)
    },
    top("top hide mapping", ["-hide=m1"]) {
      TopOptions(graph: GraphOptions(filter: try ProfileFilter(focus: nil, hide: "m1")), nodeCount: nil)
    },
    Variant(name: "peek", flags: ["-peek=fn"]) { p in
      try text { PeekRenderer.write(try PeekReport(profile: p, matching: NameMatcher("fn")), to: &$0) }
    },
    Variant(name: "peek -lines", flags: ["-peek=fn[0-3]", "-lines"]) { p in
      try text {
        PeekRenderer.write(
          try PeekReport(profile: p, matching: NameMatcher("fn[0-3]"), options: GraphOptions(granularity: .lines)),
          to: &$0)
      }
    },
  ]

  func testReportsMatchGoToolPprof() throws {
    guard let go = Self.findExecutable("go") else {
      throw XCTSkip("go is not installed (the project's scripts install golang-go)")
    }
    let work = FileManager.default.temporaryDirectory.appendingPathComponent("perfsh-pprof-\(getpid())")
    try? FileManager.default.removeItem(at: work)
    try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: work) }

    // pprof's profile package as vendored in the Go toolchain writes the profiles.
    let goroot = try Self.run([go, "env", "GOROOT"], in: work).trimmingCharacters(in: .whitespacesAndNewlines)
    let vendored = URL(fileURLWithPath: goroot).appendingPathComponent("src/cmd/vendor/github.com/google/pprof/profile")
    try FileManager.default.copyItem(at: vendored, to: work.appendingPathComponent("profile"))
    try PprofGeneratorSource.goMod.write(to: work.appendingPathComponent("go.mod"), atomically: true, encoding: .utf8)
    try PprofGeneratorSource.mainGo.write(to: work.appendingPathComponent("main.go"), atomically: true, encoding: .utf8)
    _ = try Self.run([go, "build", "-o", "gen", "."], in: work)
    let src = work.appendingPathComponent("src")
    try FileManager.default.createDirectory(at: src, withIntermediateDirectories: true)
    for i in 0..<4 {
      let lines = (1...25).map { "f\(i) line \($0)\n" }.joined()
      try lines.write(to: src.appendingPathComponent("f\(i).c"), atomically: true, encoding: .utf8)
    }

    var compared = 0
    var mismatches: [String] = []
    for (seed, scale) in [(1, 1), (2, 1), (3, 1), (4, 1), (5, 1), (6, 1), (7, 3), (8, 3)] {
      let pb = work.appendingPathComponent("p\(seed).pb.gz").path
      let specPath = work.appendingPathComponent("p\(seed).spec").path
      _ = try Self.run([work.appendingPathComponent("gen").path, "\(seed)", "\(scale)", pb, specPath], in: work)
      let profile = try Self.profile(fromSpec: String(contentsOfFile: specPath, encoding: .utf8))
      for v in variants {
        let theirs = Self.stripHeader(try Self.run([go, "tool", "pprof"] + v.flags + [pb], in: work))
        let ours = try Self.renderOrEmpty(v, profile)
        compared += 1
        if ours != theirs {
          mismatches.append("seed \(seed) \(v.name):\n--- go tool pprof\n\(theirs)--- perfsh\n\(ours)")
        }
      }
      let theirs = Self.stripHeader(try Self.run([go, "tool", "pprof", "-list=fn", pb], in: src))
      let list = Variant(name: "list", flags: []) { p in
        try Self.text {
          let listing = try SourceListing(profile: p, matching: NameMatcher("fn")) { file in
            (try? String(contentsOf: work.appendingPathComponent(file), encoding: .utf8))
              .map { $0.split(separator: "\n").map(String.init) }
          }
          SourceListingRenderer.write(listing, to: &$0)
        }
      }
      let ours = try Self.renderOrEmpty(list, profile)
      compared += 1
      if ours != theirs { mismatches.append("seed \(seed) list:\n--- go tool pprof\n\(theirs)--- perfsh\n\(ours)") }
    }
    XCTAssertEqual(compared, 8 * (variants.count + 1))
    XCTAssertEqual(mismatches.count, 0, mismatches.prefix(2).joined(separator: "\n"))
  }

  /// The variant's text, or "" when its regexp matches nothing (pprof then prints nothing).
  static func renderOrEmpty(_ v: Variant, _ profile: Profile) throws -> String {
    do {
      return try v.render(profile)
    } catch let error as AnalysisError {
      if case .noMatches = error { return "" }
      throw error
    }
  }

  /// Drops pprof's `File:`/`Type:` lines, which perfsh's shell prints elsewhere.
  static func stripHeader(_ s: String) -> String {
    let lines = s.split(separator: "\n", omittingEmptySubsequences: false).filter {
      !($0.hasPrefix("File: ") || $0.hasPrefix("Type: ") || $0.hasPrefix("Build ID: ") || $0.hasPrefix("Time: ")
        || $0.hasPrefix("Duration: "))
    }
    return lines.joined(separator: "\n")
  }

  /// Rebuilds the generator's profile from its description (`M`, `F`, `L`, `S` lines).
  static func profile(fromSpec text: String) throws -> Profile {
    struct BadSpec: Error { var line: String }
    var b = ProfileBuilder(sampleTypes: ProfileFixtures.cpuTypes)
    var maps: [String: MappingID] = [:]
    var fns: [String: FunctionID] = [:]
    var locs: [String: LocationID] = [:]
    for line in text.split(separator: "\n") {
      let p = line.split(separator: " ").map(String.init)
      switch p.first {
      case "M":
        maps[p[1]] = b.mapping(Mapping(start: 0, limit: 0, fileOffset: UInt64(p[1]) ?? 0, filename: b.intern(p[2])))
      case "F":
        let f = Function(
          name: b.intern(p[2]), systemName: b.intern(p[3]), filename: b.intern(p[4] == "-" ? "" : p[4]),
          startLine: Int64(p[5]) ?? 0)
        fns[p[1]] = b.function(f)
      case "L":
        var lines: [Line] = []
        if p[4] != "-" {
          for entry in p[4].split(separator: ",") {
            let q = entry.split(separator: ":")
            guard let f = fns[String(q[0])], let n = Int64(q[1]) else { throw BadSpec(line: String(line)) }
            lines.append(Line(function: f, line: n))
          }
        }
        guard let m = maps[p[2]], let address = UInt64(p[3]) else { throw BadSpec(line: String(line)) }
        locs[p[1]] = b.location(Location(address: address, mapping: m, lines: lines))
      case "S":
        let frames = try p[3].split(separator: ",").map { id throws -> LocationID in
          guard let l = locs[String(id)] else { throw BadSpec(line: String(line)) }
          return l
        }
        guard let c = Int64(p[1]), let v = Int64(p[2]) else { throw BadSpec(line: String(line)) }
        b.addSample(leafFirst: frames, values: [c, v])
      default:
        throw BadSpec(line: String(line))
      }
    }
    return b.build()
  }

  static func findExecutable(_ name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for dir in path.split(separator: ":") {
      let candidate = "\(dir)/\(name)"
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
  }

  /// Runs a command and returns its standard output; a non-zero exit fails with its stderr.
  static func run(_ args: [String], in dir: URL) throws -> String {
    struct CommandFailed: Error, CustomStringConvertible {
      var description: String
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: args[0])
    process.arguments = Array(args.dropFirst())
    process.currentDirectoryURL = dir
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let stderr = String(decoding: errData, as: UTF8.self)
    // `go tool pprof` exits 1 with "no matches found" when a regexp matches nothing.
    if process.terminationStatus != 0 && !stderr.contains("no matches found") {
      throw CommandFailed(description: "\(args.joined(separator: " ")) exited \(process.terminationStatus): \(stderr)")
    }
    return String(decoding: data, as: UTF8.self)
  }
}
