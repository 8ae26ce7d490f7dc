// perfsh-capture-bench: runs one command under the CPU sampler alone (no symbolization)
// and prints capture statistics to stderr; exits with the command's status.
// Used by scripts/bench-overhead to measure the sampler's cost on a workload.
// Usage: perfsh-capture-bench [-F HZ] [--pages N] -- CMD ARGS...
import Capture
import Glibc

func printError(_ s: String) {
  var line = s
  line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

var args = Array(CommandLine.arguments.dropFirst())
var frequency = 999
var pages = 64
while let first = args.first, first.hasPrefix("-") {
  args.removeFirst()
  if first == "--" { break }
  guard let value = args.first else { break }
  args.removeFirst()
  if first == "-F", let v = Int(value) { frequency = v }
  if first == "--pages", let v = Int(value) { pages = v }
}
guard !args.isEmpty else {
  printError("usage: perfsh-capture-bench [-F HZ] [--pages N] -- CMD ARGS...\n")
  exit(2)
}
do {
  let result = try CPUSampler().run(CaptureRequest(arguments: args, frequency: frequency, ringDataPages: pages))
  let run = result.profile.run
  let cpu = run.cpuNanos ?? 0
  let elapsed = run.elapsedNanos ?? 0
  let total = result.profile.total(column: 1)
  printError(
    "samples \(result.sampleRecords) stacks \(result.profile.samples.count) lost \(result.lostRecords) "
      + "elapsed \(elapsed / 1_000_000)ms cpu \(cpu / 1_000_000)ms sampled-cpu \(total / 1_000_000)ms "
      + "exit \(run.termination.map { "\($0)" } ?? "?") kernel \(result.kernelFrames) "
      + "rings \(result.ringBytesDrained) finish \(result.finishNanos / 1000)us\n")
  exit(run.termination?.shellStatus ?? 1)
} catch {
  printError("perfsh: \(error)\n")
  exit(error.exitStatus ?? 1)
}
