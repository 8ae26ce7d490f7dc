// perfsh-bench: generates the large pprof benchmark file and times perfsh's decoder on it.
//
//   perfsh-bench generate OUT [shared|unique [SAMPLES [FUNCTIONS]]]
//   perfsh-bench decode FILE [REPEAT [encode]]
//   perfsh-bench held FILE                                      (memory a loaded session holds, by part)
//   perfsh-bench session OUT [shared|unique [SAMPLES [REPEAT]]]   (save / open of a session file)
//
// scripts/bench-pprof drives it and compares with `go tool pprof -top` on the same file.
import Formats
import Foundation
import ProfileModel

#if canImport(Glibc)
  import Glibc
#endif

/// A value from /proc/self/status in bytes, e.g. "VmRSS" or "VmHWM".
func procStatus(_ key: String) -> Int {
  guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
  for line in text.split(separator: "\n") where line.hasPrefix(key + ":") {
    let kb = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
    return kb * 1024
  }
  return 0
}

/// Calls glibc's malloc_trim(0), looked up at run time (malloc.h is not in the Glibc module).
func trimMalloc() {
  typealias Trim = @convention(c) (Int) -> Int32
  guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return }
  _ = unsafeBitCast(symbol, to: Trim.self)(0)
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
  let start = DispatchTime.now().uptimeNanoseconds
  try body()
  return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func fail(_ message: String) -> Never {
  FileHandle.standardError.write(Data("perfsh-bench: \(message)\n".utf8))
  exit(1)
}

let args = CommandLine.arguments
guard args.count >= 3 else {
  fail("usage: perfsh-bench generate OUT [shared|unique [SAMPLES [FUNCTIONS]]] | decode FILE [REPEAT [encode]]")
}

switch args[1] {
case "generate":
  var gen = BigProfileGenerator()
  if args.count > 3 {
    guard let shape = BigProfileGenerator.Shape(rawValue: args[3]) else { fail("shape must be shared or unique") }
    gen.shape = shape
  }
  if args.count > 4, let n = Int(args[4]) { gen.samples = n }
  if args.count > 5, let n = Int(args[5]) { gen.functions = n }
  let profile = gen.generate()
  do {
    let bytes = try PprofEncoder.encode(profile)
    try AtomicFile.write(bytes, to: args[2])
    print(
      "generated \(args[2]): \(bytes.count) bytes gzipped, samples \(profile.samples.count), functions \(profile.functions.count), locations \(profile.locations.count), stack nodes \(profile.stacks.count)"
    )
  } catch {
    fail("\(args[2]): \(error)")
  }

case "decode":
  let repeats = args.count > 3 ? Int(args[3]) ?? 3 : 3
  let baseline = procStatus("VmRSS")
  guard let data = FileManager.default.contents(atPath: args[2]) else { fail("\(args[2]): cannot read") }
  let bytes = [UInt8](data)
  var gunzip: [Double] = []
  var load: [Double] = []
  var profile: Profile?
  do {
    for _ in 0..<repeats {
      profile = nil
      // gunzip alone, to split the load time; its buffer is freed before the timed load.
      gunzip.append(try seconds { _ = try Gzip.decompress(bytes).count })
      load.append(try seconds { profile = try ProfileLoader.load(bytes: bytes, name: args[2]) })
    }
  } catch {
    fail("\(args[2]): \(error)")
  }
  guard let p = profile else { fail("no profile") }
  let peak = procStatus("VmHWM")
  // Give freed transient buffers back to the kernel so RSS shows what the profile holds.
  trimMalloc()
  let withFile = procStatus("VmRSS")
  var encoded = 0
  var encodeSeconds: Double?
  if args.count > 4 && args[4] == "encode" {
    do {
      encodeSeconds = try seconds { encoded = try PprofEncoder.encode(p).count }
    } catch {
      fail("encode: \(error)")
    }
  }
  let fileBytes = bytes.count
  let n = p.samples.count
  // Estimated bytes held by the profile's big arrays (dictionaries excluded).
  let tables =
    n * (4 + 4 + 8 * p.samples.width) + p.stacks.count * 12 + p.locations.count * (MemoryLayout<Location>.stride + 24)
    + p.functions.count * MemoryLayout<Function>.stride
  let best = load.min() ?? 0
  print("file: \(args[2]) (\(fileBytes) bytes)")
  print(
    "profile: samples \(n), functions \(p.functions.count), locations \(p.locations.count), stack nodes \(p.stacks.count), strings \(p.strings.count)"
  )
  print("gunzip seconds: \(gunzip.map { String(format: "%.3f", $0) }.joined(separator: " "))")
  print(
    "load seconds (ProfileLoader.load: gunzip + decode): \(load.map { String(format: "%.3f", $0) }.joined(separator: " "))"
  )
  print(String(format: "best load: %.3f s", best))
  if let e = encodeSeconds {
    print(String(format: "encode (protobuf+gzip, for export pprof): %.3f s, %d bytes", e, encoded))
  }
  print(
    String(
      format: "memory: baseline %.1f MB, peak %.1f MB (+%.1f MB), now %.1f MB with the file bytes still held",
      Double(baseline) / 1e6, Double(peak) / 1e6, Double(peak - baseline) / 1e6, Double(withFile) / 1e6))
  print(
    String(
      format:
        "retained ≈ %.1f MB over baseline excluding the %.1f MB file: %.0f bytes/sample (tables estimate %.0f bytes/sample)",
      Double(withFile - baseline - fileBytes) / 1e6, Double(fileBytes) / 1e6,
      Double(withFile - baseline - fileBytes) / Double(max(1, n)), Double(tables) / Double(max(1, n))))
  print(String(format: "BEST_LOAD_SECONDS=%.4f", best))

case "session":
  benchSessionFile(args)

case "held":
  benchHeldMemory(args)

default:
  fail("unknown command \(args[1])")
}
