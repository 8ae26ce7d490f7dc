/// The call-graph decision of one run.
extension CPUSampler {
  /// The stack copy size for `request` (0: frame pointers) and the note saying what was used.
  func callGraphChoice(_ request: CaptureRequest) -> (stackBytes: Int, note: String) {
    switch request.callGraph {
    case .framePointer:
      return (0, "call graph: frame pointers (--call-graph fp)")
    case .dwarf(let bytes):
      guard unwinding != nil else { return (0, "call graph: frame pointers (no DWARF unwinder available)") }
      let size = Self.stackCopySize(bytes)
      return (size, "call graph: dwarf, \(size)-byte stack copies (--call-graph dwarf)")
    case .auto:
      guard let unwinding else { return (0, "call graph: frame pointers (no DWARF unwinder available)") }
      guard let name = request.arguments.first, var path = try? ExecutableLookup.resolve(
        name, searchPath: Self.searchPath(request), workingDirectory: request.workingDirectory)
      else { return (0, "call graph: frame pointers (executable not found)") }
      if !path.hasPrefix("/"), let dir = request.workingDirectory { path = dir + "/" + path }
      if unwinding.prefersDWARF(executable: path) {
        let size = CallGraph.defaultStackBytes
        return (size, "call graph: dwarf, \(size)-byte stack copies (auto: the executable lacks frame-pointer prologues)")
      }
      return (0, "call graph: frame pointers (auto: the executable keeps frame pointers)")
    }
  }

  /// `bytes` rounded up to a multiple of 8 and clamped to what a record can hold.
  static func stackCopySize(_ bytes: Int) -> Int {
    let clamped = min(max(bytes, 64), CallGraph.maximumStackBytes)
    return (clamped + 7) & ~7
  }

  /// The PATH the target will see.
  private static func searchPath(_ request: CaptureRequest) -> String? {
    if let path = request.environment["PATH"] { return path }
    return SystemInfo.environment().last { $0.hasPrefix("PATH=") }.map { String($0.dropFirst(5)) }
  }

  /// The layout of the sampler's records: with stack copies, registers and stack follow.
  static func sampleFormat(stackBytes: Int) throws(CaptureError) -> SampleFormat {
    guard stackBytes > 0 else { return .cpuSampling }
    return try SampleFormat(
      sampleType: SampleType.cpuSampling.union([.regsUser, .stackUser]), sampleIDAll: true,
      userRegisterMask: CallGraph.x86UserRegisterMask)
  }
}
