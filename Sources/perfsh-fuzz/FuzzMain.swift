import FuzzTargets

#if PERFSH_LIBFUZZER
  /// libFuzzer's driver (from libclang_rt.fuzzer_no_main, linked by scripts/fuzz).
  @_silgen_name("LLVMFuzzerRunDriver")
  func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
  ) -> CInt

  /// The target this process fuzzes; set once before the driver starts.
  nonisolated(unsafe) var selectedTarget = FuzzTarget.pprof
#endif

/// `perfsh-fuzz TARGET [ARGS…]`. Built by scripts/fuzz with libFuzzer and sanitizers
/// (PERFSH_LIBFUZZER), ARGS are libFuzzer's (corpus folders, -max_total_time=…). In the
/// ordinary build ARGS are input files, replayed once each without sanitizers.
@main
enum FuzzMain {
  static func main() {
    var args = CommandLine.arguments
    guard args.count >= 2, let target = FuzzTarget(rawValue: args[1]) else {
      let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: " ")
      print("usage: perfsh-fuzz TARGET [FILE…]   targets: \(names)")
      exit(2)
    }
    args.remove(at: 1)
    #if PERFSH_LIBFUZZER
      selectedTarget = target
      var argc = CInt(args.count)
      var cArgs: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
      let status = cArgs.withUnsafeMutableBufferPointer { buffer -> CInt in
        var argv = buffer.baseAddress
        return LLVMFuzzerRunDriver(&argc, &argv) { data, size in
          _ = selectedTarget.run(UnsafeRawBufferPointer(start: data, count: size))
          return 0
        }
      }
      exit(status)
    #else
      for path in args.dropFirst() {
        guard let bytes = readFile(path) else {
          print("\(path): cannot read")
          exit(1)
        }
        print("\(path): \(target.run(bytes))")
      }
    #endif
  }

  private static func readFile(_ path: String) -> [UInt8]? {
    guard let f = fopen(path, "rb") else { return nil }
    defer { fclose(f) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
      let n = fread(&chunk, 1, chunk.count, f)
      if n <= 0 { break }
      bytes += chunk[0..<n]
    }
    return bytes
  }
}

#if canImport(Glibc)
  import Glibc
#endif
