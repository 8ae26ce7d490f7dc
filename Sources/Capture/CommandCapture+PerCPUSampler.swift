extension CommandCapture {
  /// Opens the per-CPU sampler (`--sampler cpu`) for the gated child `pid`: per CPU, a cpu-clock
  /// event for every task that owns the CPU's ring, with `BPFSampleFilter` attached before it is
  /// enabled (so not one sample of another task is written). Side-band (mmap, comm, fork, exit)
  /// comes from the same events for every task, filtered to the target's tree by the returned
  /// `TargetProcessFilter`, or (`request.samplerSideBand == .task`) from a per-task `dummy`
  /// event on the target, inherited and enabled at exec, writing into the same ring. Samples
  /// carry the same fields, periods and stacks as the per-task sampler's.
  static func openPerCPUEvents(
    cpus: [Int32], pid: Int32, request: CaptureRequest, excludeKernel: Bool, dataPages: Int, stackBytes: Int,
    userCallchain: Bool
  ) throws(CaptureError) -> (PerCPURings, BPFSampleFilter, TargetProcessFilter?) {
    if case .unavailable(let why) = BPFSupport.availability {
      throw .perCPUSamplerUnavailable(reason: "BPF is not available (\(why))")
    }
    let filter = BPFSampleFilter()
    try filter.open(pid: pid)
    let dataBytes = dataPages * SystemInfo.pageSize
    let systemSideBand = request.samplerSideBand == .cpu
    var buildIDs = true
    func samplerAttributes() -> PerfEventAttr {
      var attr = PerfEventFile.perCPUClockAttributes(
        frequency: request.frequency, excludeKernel: excludeKernel, wakeupBytes: dataBytes / 4,
        sideBand: systemSideBand, buildIDs: buildIDs, userStackBytes: stackBytes)
      // While probes are armed the kernel's own user chain rides along (see openEvents).
      if userCallchain { attr.exclude_callchain_user = 0 }
      return attr
    }
    /// Opens `attributes()`; kernels before 5.12 reject build ids in MMAP2 with EINVAL: retry without.
    func open(_ attributes: () -> PerfEventAttr, pid: Int32, cpu: Int32) throws(CaptureError) -> PerfEventFile {
      do {
        return try PerfEventFile.open(attributes: attributes(), pid: pid, cpu: cpu)
      } catch {
        guard case .perfEventOpen(_, _, .invalidArgument) = error, buildIDs else { throw error }
        buildIDs = false
        return try PerfEventFile.open(attributes: attributes(), pid: pid, cpu: cpu)
      }
    }
    let events = PerCPURings()
    for cpu in cpus {
      let file = try open(samplerAttributes, pid: -1, cpu: cpu)
      try filter.attach(toEvent: file.descriptor)
      try file.enable()
      let ring = try events.addOwner(file, dataPages: dataPages)
      if !systemSideBand {
        let sideBand = try open(
          { PerfEventFile.sideBandAttributes(sampler: samplerAttributes(), buildIDs: buildIDs) }, pid: pid, cpu: cpu)
        try events.addFollower(sideBand, ring: ring)
      }
    }
    return (events, filter, systemSideBand ? TargetProcessFilter(target: pid) : nil)
  }
}
