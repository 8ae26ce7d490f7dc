import CBPF

extension Optional where Wrapped == KernelBTF.StealClockLayout {
  /// The layout as BPF programs take it (disabled when there is none).
  var bpfLayout: perfsh_steal_layout {
    guard let layout = self else { return perfsh_steal_layout() }
    return perfsh_steal_layout(
      enabled: 1, task_cfs_rq_offset: layout.taskCFSRunQueue, cfs_rq_rq_offset: layout.cfsRunQueueRunQueue,
      reserved: 0, rq_to_steal: layout.runQueueToStealTime)
  }
}
