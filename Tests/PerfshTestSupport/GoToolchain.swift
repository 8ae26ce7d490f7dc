import Foundation

/// The Go toolchain as a test oracle: builds small stdlib-only Go programs that write CPU
/// profiles with `runtime/pprof`, and runs `go tool pprof -top` to read profiles back.
public enum GoToolchain {
  /// Why a Go step failed: the command and what it printed.
  public struct Failure: Error, CustomStringConvertible {
    /// The command line that failed.
    public var command: [String]
    /// Its exit status.
    public var status: Int32
    /// Its standard error.
    public var stderr: String
    /// The command, its status and its standard error.
    public var description: String { "\(command.joined(separator: " ")) exited \(status): \(stderr)" }
  }

  /// Path of the `go` binary, or nil when Go is not installed.
  public static let goPath: String? = {
    let env = ProcessInfo.processInfo.environment
    var dirs = (env["PATH"] ?? "").split(separator: ":").map(String.init)
    dirs += ["/usr/lib/go/bin", "/usr/local/go/bin", "/usr/bin"]
    for dir in dirs where FileManager.default.isExecutableFile(atPath: dir + "/go") { return dir + "/go" }
    return nil
  }()

  /// A fresh temporary directory for one test's files.
  public static func temporaryDirectory(_ label: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory
      .appendingPathComponent("perfsh-\(label)-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  /// The Go program `cpuProfile` runs. `alpha`, `beta` and `gamma` do work in the ratio 1 : 2 : 3;
  /// `alpha` and `beta` call `spin`, `gamma` loops itself, and the tiny `mix` is inlined everywhere.
  public static let cpuProgram = """
    package main

    import (
    \t"fmt"
    \t"os"
    \t"runtime/pprof"
    \t"time"
    )

    var sink uint64

    func mix(x uint64) uint64 { return x*6364136223846793005 + 1442695040888963407 }

    //go:noinline
    func spin(n int) uint64 {
    \tx := sink
    \tfor i := 0; i < n; i++ {
    \t\tx = mix(x) ^ (x >> 13)
    \t}
    \treturn x
    }

    //go:noinline
    func alpha(n int) { sink += spin(n) }

    //go:noinline
    func beta(n int) { sink += spin(2 * n) }

    //go:noinline
    func gamma(n int) {
    \tx := sink
    \tfor i := 0; i < 3*n; i++ {
    \t\tx = mix(x) ^ (x >> 17)
    \t}
    \tsink += x
    }

    func main() {
    \tf, err := os.Create(os.Args[1])
    \tif err != nil {
    \t\tfmt.Fprintln(os.Stderr, err)
    \t\tos.Exit(1)
    \t}
    \tif err := pprof.StartCPUProfile(f); err != nil {
    \t\tfmt.Fprintln(os.Stderr, err)
    \t\tos.Exit(1)
    \t}
    \tstart := time.Now()
    \tfor time.Since(start) < time.Second {
    \t\talpha(200000)
    \t\tbeta(200000)
    \t\tgamma(200000)
    \t}
    \tpprof.StopCPUProfile()
    \tif err := f.Close(); err != nil {
    \t\tfmt.Fprintln(os.Stderr, err)
    \t\tos.Exit(1)
    \t}
    }

    """

  /// A Go program that writes a heap profile: every allocation sampled (`MemProfileRate = 1`),
  /// `small` allocating 64 bytes and `large` 4096 bytes a thousand times each. Go writes
  /// four value columns, a numeric `bytes` label per sample, and repeats stacks across samples.
  public static let heapProgram = """
    package main

    import (
    \t"fmt"
    \t"os"
    \t"runtime"
    \t"runtime/pprof"
    )

    var keep [][]byte

    //go:noinline
    func small() { keep = append(keep, make([]byte, 64)) }

    //go:noinline
    func large() { keep = append(keep, make([]byte, 4096)) }

    func main() {
    \truntime.MemProfileRate = 1
    \tfor i := 0; i < 1000; i++ {
    \t\tsmall()
    \t\tlarge()
    \t}
    \truntime.GC()
    \tf, err := os.Create(os.Args[1])
    \tif err == nil {
    \t\terr = pprof.WriteHeapProfile(f)
    \t}
    \tif err == nil {
    \t\terr = f.Close()
    \t}
    \tif err != nil {
    \t\tfmt.Fprintln(os.Stderr, err)
    \t\tos.Exit(1)
    \t}
    }

    """

  /// Builds and runs `cpuProgram` in `directory`; returns the path of the CPU profile it wrote.
  public static func cpuProfile(in directory: URL) throws -> URL {
    try profile(in: directory, source: cpuProgram)
  }

  /// Builds and runs `source` (a Go main package) in `directory`, passing the profile path as
  /// its only argument; returns the path of the profile it wrote.
  public static func profile(in directory: URL, source: String) throws -> URL {
    guard let go = goPath else { throw Failure(command: ["go"], status: 127, stderr: "go is not installed") }
    let main = directory.appendingPathComponent("main.go")
    try source.write(to: main, atomically: true, encoding: .utf8)
    let binary = directory.appendingPathComponent("workload")
    _ = try run([go, "build", "-o", binary.path, main.path], in: directory)
    let profile = directory.appendingPathComponent("profile.pb.gz")
    _ = try run([binary.path, profile.path], in: directory)
    return profile
  }

  /// One row of `go tool pprof -top`: a node's flat and cum values.
  public struct TopRow: Equatable, CustomStringConvertible {
    /// The node's own value.
    public var flat: Int64
    /// The node's value including everything it called.
    public var cum: Int64
    /// Makes a row.
    public init(flat: Int64, cum: Int64) {
      self.flat = flat
      self.cum = cum
    }
    /// The row as `(flat: F, cum: C)`.
    public var description: String { "(flat: \(flat), cum: \(cum))" }
  }

  /// Runs `go tool pprof -top` on `file` with every node shown and values in plain integers
  /// (`-unit=ns` prints nanoseconds, and bare counts with an `ns` suffix that is stripped),
  /// and returns the rows keyed by name (a trailing ` (inline)` marker removed).
  /// `extraArguments` go before the file, e.g. `["-lines"]` or `["-focus=parse"]`.
  public static func pprofTop(
    _ file: URL, sampleIndex: String? = nil, extraArguments: [String] = []
  ) throws -> [String: TopRow] {
    guard let go = goPath else { throw Failure(command: ["go"], status: 127, stderr: "go is not installed") }
    var args = [go, "tool", "pprof", "-top", "-nodefraction=0", "-nodecount=100000", "-unit=ns", "-symbolize=none"]
    if let s = sampleIndex { args.append("-sample_index=\(s)") }
    args += extraArguments
    args.append(file.path)
    let output = try run(args, in: file.deletingLastPathComponent())
    return try parseTop(output)
  }

  /// Parses the rows of `go tool pprof -top` output into `[name: (flat, cum)]`.
  public static func parseTop(_ output: String) throws -> [String: TopRow] {
    var rows: [String: TopRow] = [:]
    var inTable = false
    for line in output.split(separator: "\n", omittingEmptySubsequences: true) {
      let fields = line.split(separator: " ", omittingEmptySubsequences: true)
      if !inTable {
        inTable = fields.first == "flat" && fields.contains("cum%")
        continue
      }
      guard fields.count >= 6, let flat = integer(fields[0]), let cum = integer(fields[3]) else {
        throw Failure(command: ["parse pprof -top"], status: 1, stderr: "unexpected row: \(line)")
      }
      var name = fields[5...].joined(separator: " ")
      for suffix in [" (inline)", " (partial-inline)"] where name.hasSuffix(suffix) {
        name.removeLast(suffix.count)
      }
      let old = rows[name] ?? TopRow(flat: 0, cum: 0)
      rows[name] = TopRow(flat: old.flat + flat, cum: old.cum + cum)
    }
    guard inTable else {
      throw Failure(command: ["parse pprof -top"], status: 1, stderr: "no table in output:\n\(output)")
    }
    return rows
  }

  private static func integer(_ field: Substring) -> Int64? {
    var digits = field
    while let last = digits.last, last.isLetter { digits.removeLast() }
    return Int64(digits)
  }

  /// Runs a command and returns its standard output; a nonzero exit throws `Failure`.
  @discardableResult
  public static func run(_ command: [String], in directory: URL) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: command[0])
    process.arguments = Array(command.dropFirst())
    process.currentDirectoryURL = directory
    var env = ProcessInfo.processInfo.environment
    if env["HOME"] == nil { env["HOME"] = NSTemporaryDirectory() }
    env["PPROF_TMPDIR"] = directory.path
    process.environment = env
    // stderr goes to a file so the two streams never block each other.
    let errURL = directory.appendingPathComponent(".stderr-\(UUID().uuidString)")
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let errHandle = try FileHandle(forWritingTo: errURL)
    defer { try? FileManager.default.removeItem(at: errURL) }
    let out = Pipe()
    process.standardOutput = out
    process.standardError = errHandle
    try process.run()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    try errHandle.close()
    let errData = (try? Data(contentsOf: errURL)) ?? Data()
    guard process.terminationStatus == 0 else {
      throw Failure(
        command: command, status: process.terminationStatus, stderr: String(decoding: errData, as: UTF8.self))
    }
    return String(decoding: outData, as: UTF8.self)
  }
}
