import Formats
import Foundation
import ProfileModel

/// `perfsh-bench session OUT [SHAPE [SAMPLES [REPEAT [GZIP-LEVEL]]]]`: times `save` (encode, gzip, atomic
/// write) and `open` (read, gunzip, decode, validate) of a generated session with traced
/// statistics and two repeats, and reports the bytes per sample on disk.
func benchSessionFile(_ args: [String]) {
  var gen = BigProfileGenerator()
  gen.samples = 1_000_000
  if args.count > 3 {
    guard let shape = BigProfileGenerator.Shape(rawValue: args[3]) else { fail("shape must be shared or unique") }
    gen.shape = shape
  }
  if args.count > 4, let n = Int(args[4]) { gen.samples = n }
  let repeats = args.count > 5 ? Int(args[5]) ?? 3 : 3
  let level = args.count > 6 ? Int32(args[6]) ?? 1 : 1
  var profile = gen.generate()
  // Traced statistics for 200 functions and two repeats, as a `run -n 2 --trace` session has.
  for f in 0..<min(200, profile.functions.count) {
    let stats = CallStatistics(
      calls: Int64(1000 + f), selfNanos: Int64(f) * 1_000_003, totalNanos: Int64(f) * 2_000_011, maxSelfNanos: 99_000,
      p95SelfNanos: 7_000, wall: CallTimes(selfNanos: 5, totalNanos: 6, maxSelfNanos: 7, p95SelfNanos: 8),
      probeCostNanos: 2_400)
    profile.callStatistics[FunctionID(f)] = stats
  }
  profile.run.command = ["./bigservice", "--bench"]
  profile.run.notes = ["call graph: dwarf"]
  let perRun = profile.callStatistics
  for _ in 0..<2 {
    profile.repeats.append(RunRepeat(elapsedNanos: 1, cpuNanos: 2, callStatistics: perRun, termination: .exited(0)))
  }
  // The session's numbers are its repeats' added up, as `run -n 2` makes them.
  profile.callStatistics = perRun.mapValues { CallStatistics.merged([$0, $0]) ?? $0 }
  profile.stacks.dropLookupIndex()
  let session = ArchivedSession(name: "big", source: .run(command: ["./bigservice"]), profile: profile)
  let path = args[2]
  var save: [Double] = []
  var open: [Double] = []
  do {
    for _ in 0..<repeats {
      save.append(try seconds { try AtomicFile.write(SessionArchive.encode([session], level: level), to: path) })
      open.append(try seconds { _ = try SessionArchive.read(path: path) })
    }
  } catch {
    fail("\(path): \(error)")
  }
  let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
  let n = profile.samples.count
  print(
    "session: \(gen.shape.rawValue) shape, samples \(n), stack nodes \(profile.stacks.count), functions \(profile.functions.count), locations \(profile.locations.count)"
  )
  print("save seconds: \(save.map { String(format: "%.3f", $0) }.joined(separator: " "))")
  print("open seconds: \(open.map { String(format: "%.3f", $0) }.joined(separator: " "))")
  print(String(format: "file: %d bytes, %.2f bytes/sample", size, Double(size) / Double(max(1, n))))
  print(
    String(
      format: "BEST_SAVE_SECONDS=%.4f BEST_OPEN_SECONDS=%.4f BYTES_PER_SAMPLE=%.2f", save.min() ?? 0, open.min() ?? 0,
      Double(size) / Double(max(1, n))))
}
