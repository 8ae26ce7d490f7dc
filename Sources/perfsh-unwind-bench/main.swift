// perfsh-unwind-bench: runs one command under the CPU sampler with a chosen call-graph
// mode, symbolizes, and prints timing to stderr: target elapsed, samples, time spent
// unwinding (throughput), time from target exit to a converted profile, symbolization
// time. Used by scripts/bench-unwind. Exits with the command's status.
// Usage: perfsh-unwind-bench [-F HZ] [--call-graph fp|dwarf|auto] [--no-symbolize] [--user-only] -- CMD ARGS...
import Capture
import Glibc
import Symbolize
import Unwind

func printError(_ s: String) {
  var line = s
  line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

func monotonic() -> UInt64 {
  var ts = timespec()
  clock_gettime(CLOCK_MONOTONIC, &ts)
  return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}

/// A DWARF unwinder that also sums the time spent in it.
final class TimedUnwinder: UserStackUnwinder {
  let inner = DWARFUnwinder()
  var nanos: UInt64 = 0
  var samples = 0
  func unwind(
    _ sample: PerfSample, pid: Int32, addressSpace: AddressSpace, objects: [MappedObject], into frames: inout [UInt64]
  ) -> Bool {
    let t0 = monotonic()
    defer { nanos &+= monotonic() &- t0 }
    samples += 1
    return inner.unwind(sample, pid: pid, addressSpace: addressSpace, objects: objects, into: &frames)
  }
  func notes() -> [String] { inner.notes() }
}

/// Hands out one shared TimedUnwinder so the driver can read its clock after the run.
final class TimedUnwinding: UserStackUnwinding, @unchecked Sendable {
  let unwinder = TimedUnwinder()
  func prefersDWARF(executable: String) -> Bool { DWARFUnwinding().prefersDWARF(executable: executable) }
  func makeUnwinder() -> any UserStackUnwinder { unwinder }
}

var args = Array(CommandLine.arguments.dropFirst())
if args.first == "--cfi-lookups" { cfiLookups(Array(args.dropFirst())) }
var frequency = 999
var callGraph = CallGraph.auto
var symbolize = true
var kernelFrames = CaptureRequest.KernelFrames.whenPermitted
while let first = args.first, first.hasPrefix("-") {
  args.removeFirst()
  if first == "--" { break }
  if first == "--no-symbolize" {
    symbolize = false
    continue
  }
  if first == "--user-only" {
    kernelFrames = .never
    continue
  }
  guard let value = args.first else { break }
  args.removeFirst()
  if first == "-F", let v = Int(value) { frequency = v }
  if first == "--call-graph", let g = CallGraph(option: value) { callGraph = g }
}
guard !args.isEmpty else {
  printError(
    "usage: perfsh-unwind-bench [-F HZ] [--call-graph fp|dwarf|auto] [--no-symbolize] [--user-only] -- CMD ARGS...\n")
  exit(2)
}
let unwinding = TimedUnwinding()
do {
  var result = try CommandCapture(unwinding: unwinding).run(
    CaptureRequest(arguments: args, frequency: frequency, kernelFrames: kernelFrames, callGraph: callGraph))
  let t0 = monotonic()
  if symbolize { Symbolizer().symbolize(&result.profile) }
  let symbolizeNanos = monotonic() &- t0
  let run = result.profile.run
  let u = unwinding.unwinder
  let throughput = u.nanos > 0 ? Double(u.samples) / (Double(u.nanos) / 1e9) : 0
  printError(
    "samples \(result.sampleRecords) lost \(result.lostRecords) elapsed \((run.elapsedNanos ?? 0) / 1_000_000)ms "
      + "unwound \(u.samples) stacks, \(u.inner.framesUnwound) frames in \(u.nanos / 1_000_000)ms (\(Int(throughput)) samples/s) "
      + "finish \(result.finishNanos / 1_000_000)ms symbolize \(symbolizeNanos / 1_000_000)ms "
      + "post-exit \((UInt64(result.finishNanos) + symbolizeNanos) / 1_000_000)ms\n")
  for note in run.notes { printError("  \(note)\n") }
  exit(run.termination?.shellStatus ?? 1)
} catch {
  printError("perfsh: \(error)\n")
  exit(error.exitStatus ?? 1)
}

/// `--cfi-lookups PATH LO HI N`: N uncached CFI row lookups at pseudo-random addresses in
/// [LO, HI) (the same LCG as the libdw helper in scripts/bench-unwind); prints rows/s.
func cfiLookups(_ a: [String]) -> Never {
  guard a.count == 4, let lo = UInt64(a[1], radix: 16), let hi = UInt64(a[2], radix: 16), hi > lo, let n = Int(a[3])
  else {
    printError("usage: perfsh-unwind-bench --cfi-lookups PATH LO_HEX HI_HEX N\n")
    exit(2)
  }
  do {
    let file = try MappedFile(path: a[0])
    let t0 = monotonic()
    var table = CFITable(elf: try ELFFile(bytes: file.bytes, path: a[0]))
    let t1 = monotonic()
    var x: UInt64 = 12345
    var found = 0
    for _ in 0..<n {
      x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      if table.row(at: lo &+ (x >> 16) % (hi - lo)) != nil { found += 1 }
    }
    let t2 = monotonic()
    let rate = Double(n) / (Double(t2 - t1) / 1e9)
    printError("perfsh CFI: setup \((t1 - t0) / 1000)us, \(n) lookups, \(found) found, \(Int(rate)) lookups/s\n")
    exit(0)
  } catch {
    printError("perfsh: \(error)\n")
    exit(1)
  }
}
