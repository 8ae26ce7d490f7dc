/// The call-graph decision of one run.
extension CommandCapture {
  /// What a run's call graph will be: the stack copy size (0: the kernel's frame-pointer
  /// chains), the note for `info`, warnings for stderr, and the binaries surveyed.
  struct CallGraphChoice {
    /// Bytes of user stack each sample copies; 0 for frame-pointer call chains.
    var stackBytes: Int
    /// The `info` line saying what was used and why.
    var note: String
    /// Lines said at once on stderr and kept in `info`.
    var warnings: [String] = []
    /// The binaries checked for frame pointers before the run, if any were.
    var survey: FramePointerSurvey?
    /// Whether the executable itself needs CFI to unwind (the allocation recorder then
    /// walks with libunwind rather than frame pointers).
    var executableNeedsCFI = false
  }

  /// The call graph for `request`.
  func callGraphChoice(_ request: CaptureRequest) -> CallGraphChoice {
    switch request.callGraph {
    case .framePointer:
      var choice = CallGraphChoice(stackBytes: 0, note: "call graph: frame pointers (--call-graph fp)")
      guard let unwinding, let path = Self.executable(request) else { return choice }
      let survey = unwinding.survey(executable: path)
      choice.survey = survey
      if survey.executableLacks {
        choice.warnings.append(
          "--call-graph fp: \(Self.commandName(request)) lacks frame pointers, so its stacks miss callers or show "
            + "wrong ones; --call-graph auto or dwarf copies stacks and unwinds them with CFI")
      } else if !survey.lacking.isEmpty {
        choice.note += "; without frame pointers: \(survey.lackingNames) (callers of their functions may be skipped)"
      }
      return choice
    case .dwarf(let bytes):
      guard unwinding != nil else {
        return CallGraphChoice(stackBytes: 0, note: "call graph: frame pointers (no DWARF unwinder available)")
      }
      let size = Self.stackCopySize(bytes)
      var choice = CallGraphChoice(
        stackBytes: size, note: "call graph: dwarf, \(size)-byte stack copies (--call-graph dwarf)",
        executableNeedsCFI: true)
      if bytes > CallGraph.maximumStackBytes {
        choice.warnings.append(
          "--call-graph dwarf,\(bytes): a sample holds at most \(CallGraph.maximumStackBytes) bytes of stack; "
            + "copying \(size) bytes (deeper stacks end in one [truncated] node per thread)")
      }
      return choice
    case .auto:
      guard let unwinding else {
        return CallGraphChoice(stackBytes: 0, note: "call graph: frame pointers (no DWARF unwinder available)")
      }
      guard let path = Self.executable(request) else {
        return CallGraphChoice(stackBytes: 0, note: "call graph: frame pointers (executable not found)")
      }
      let survey = unwinding.survey(executable: path)
      if survey.lacking.isEmpty {
        let others = survey.checked.count - 1
        let subject =
          others == 0
          ? "the executable keeps" : "the executable and its \(others) librar\(others == 1 ? "y" : "ies") keep"
        return CallGraphChoice(
          stackBytes: 0, note: "call graph: frame pointers (auto: \(subject) frame pointers)",
          survey: survey)
      }
      let size = CallGraph.defaultStackBytes
      let verb = survey.lacking.count == 1 ? "lacks" : "lack"
      return CallGraphChoice(
        stackBytes: size,
        note: "call graph: dwarf, \(size)-byte stack copies, unwound with CFI where the code has it and frame "
          + "pointers where not (auto: \(survey.lackingNames) \(verb) frame pointers)",
        survey: survey, executableNeedsCFI: survey.executableLacks)
    }
  }

  /// Warnings about binaries mapped during a frame-pointer run (after an exec, or dlopen'ed)
  /// that were not checked before it and lack frame pointers: the choice cannot change once
  /// the events are open, so the user hears which stacks to distrust and what to use.
  func lateBinaryWarnings(_ choice: CallGraphChoice, objects: [MappedObject]) -> [String] {
    guard choice.stackBytes == 0, let unwinding, let survey = choice.survey else { return [] }
    var seen = Set(survey.checked)
    var lacking: [String] = []
    for o in objects where o.filename.hasPrefix("/") && !o.filename.hasPrefix("/tmp/perf-") {
      guard seen.insert(o.filename).inserted else { continue }
      if unwinding.prefersDWARF(executable: o.filename) { lacking.append(o.filename) }
    }
    guard !lacking.isEmpty else { return [] }
    let names = FramePointerSurvey(checked: lacking, lacking: lacking).lackingNames
    return [
      "\(names) (mapped during the run, after the call-graph choice) \(lacking.count == 1 ? "lacks" : "lack") "
        + "frame pointers: \(lacking.count == 1 ? "its" : "their") stacks were walked with frame pointers and may miss "
        + "callers; --call-graph dwarf copies stacks"
    ]
  }

  /// `bytes` rounded up to a multiple of 8 and clamped to what a record can hold.
  static func stackCopySize(_ bytes: Int) -> Int {
    let clamped = min(max(bytes, 64), CallGraph.maximumStackBytes)
    return (clamped + 7) & ~7
  }

  /// The layout of the sampler's records: with stack copies, registers and stack follow.
  static func sampleFormat(stackBytes: Int) throws(CaptureError) -> SampleFormat {
    guard stackBytes > 0 else { return .cpuSampling }
    return try SampleFormat(
      sampleType: SampleType.cpuSampling.union([.regsUser, .stackUser]), sampleIDAll: true,
      userRegisterMask: CallGraph.x86UserRegisterMask)
  }
}
