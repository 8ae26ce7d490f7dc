// perfsh-capture-bench: runs one command under the CPU sampler alone (no symbolization)
// and prints capture statistics to stderr; exits with the command's status.
// Used by scripts/bench-overhead to measure the sampler's cost on a workload.
// Usage: perfsh-capture-bench [-F HZ] [--pages N] [--sampler task|cpu] [--side-band task|cpu] [--off-cpu [--offcpu-pages N] [--offcpu-stack BYTES]
//        [--no-wakeups] [--no-kernel-stacks] [--wakeup-divisor N]] -- CMD ARGS...
// The off-CPU knobs let scripts/bench-offcpu measure what each part of off-CPU capture costs
// (no unwinder here: stack copies are taken but not unwound).
import Capture
import Glibc

func printError(_ s: String) {
  var line = s
  line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

var args = Array(CommandLine.arguments.dropFirst())
var frequency = 999
var pages = 64
var offCPU = false
var offCPUOptions = OffCPUOptions()
var sampler: SamplerMethod?
var sideBand = SamplerSideBand.cpu
while let first = args.first, first.hasPrefix("-") {
  args.removeFirst()
  if first == "--" { break }
  if first == "--off-cpu" {
    offCPU = true
    continue
  }
  if first == "--no-wakeups" {
    offCPUOptions.wakeups = false
    continue
  }
  if first == "--no-kernel-stacks" {
    offCPUOptions.kernelStacks = false
    continue
  }
  guard let value = args.first else { break }
  args.removeFirst()
  if first == "-F", let v = Int(value) { frequency = v }
  if first == "--pages", let v = Int(value) { pages = v }
  if first == "--sampler" { sampler = SamplerMethod(rawValue: value) }
  if first == "--side-band", let v = SamplerSideBand(rawValue: value) { sideBand = v }
  if first == "--offcpu-pages", let v = Int(value) { offCPUOptions.ringPages = v }
  if first == "--offcpu-stack", let v = Int(value) { offCPUOptions.stackBytes = v }
  if first == "--wakeup-divisor", let v = Int(value) { offCPUOptions.wakeupDivisor = v }
}
guard !args.isEmpty else {
  printError("usage: perfsh-capture-bench [-F HZ] [--pages N] -- CMD ARGS...\n")
  exit(2)
}
do {
  var request = CaptureRequest(arguments: args, frequency: frequency, ringDataPages: pages)
  request.offCPU = offCPU
  request.sampler = sampler
  request.samplerSideBand = sideBand
  request.offCPUOptions = offCPUOptions
  let result = try CommandCapture().run(request)
  let run = result.profile.run
  let cpu = run.cpuNanos ?? 0
  let elapsed = run.elapsedNanos ?? 0
  let total = result.profile.total(column: 1)
  printError(
    "samples \(result.sampleRecords) stacks \(result.profile.samples.count) lost \(result.lostRecords) "
      + "elapsed \(elapsed / 1_000_000)ms cpu \(cpu / 1_000_000)ms sampled-cpu \(total / 1_000_000)ms "
      + "exit \(run.termination.map { "\($0)" } ?? "?") kernel \(result.kernelFrames) "
      + "rings \(result.ringBytesDrained) finish \(result.finishNanos / 1000)us"
      + (run.offCPU.map { " switches \($0.switches) offcpu-lost \($0.lostRecords)" } ?? "") + "\n")
  exit(run.termination?.shellStatus ?? 1)
} catch {
  printError("perfsh: \(error)\n")
  exit(error.exitStatus ?? 1)
}
