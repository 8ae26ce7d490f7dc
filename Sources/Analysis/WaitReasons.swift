import ProfileModel

/// Why a thread was off the CPU, named from the syscall or kernel frame where it left it.
public enum WaitReason: String, CaseIterable, Sendable {
  case read, write, futex, sleep, poll
  case pageFault = "page fault"
  case child = "wait for child"
  /// Preempted while runnable: waiting for a CPU, not for an event.
  case runnable
  /// The profiler's own cost: a new thread or child copying the inherited perf events (their
  /// setup takes the kernel's global event mutex, slow when tracefs is busy).
  case profiler = "perf event setup"
  case other
}

/// How the off-CPU time of a profile splits by thread and reason (`summary` of `run --off-cpu`).
public struct WaitBreakdown: Sendable, Equatable {
  /// The thread the split is for (the target's main thread), nil when the profile does not say.
  public var thread: Int32?
  /// CPU nanoseconds sampled on that thread.
  public var cpuNanos: Int64 = 0
  /// Off-CPU nanoseconds of that thread.
  public var waitingNanos: Int64 = 0
  /// That thread's off-CPU time per reason, largest first.
  public var reasons: [(reason: WaitReason, nanos: Int64)] = []
  /// Off-CPU nanoseconds of other threads while the main thread (or a thread it waited for)
  /// waited for them: shown in the default view, left out of the split.
  public var otherThreadsNanos: Int64 = 0
  /// How many other threads have such time.
  public var otherThreads: Int = 0
  /// Off-CPU nanoseconds nobody on the critical threads waited for (`critical=no` rows:
  /// idle pools, helpers nobody joined), hidden by default.
  public var unwaitedNanos: Int64 = 0
  /// How many threads have such time.
  public var unwaitedThreads: Int = 0

  public static func == (a: WaitBreakdown, b: WaitBreakdown) -> Bool {
    a.thread == b.thread && a.cpuNanos == b.cpuNanos && a.waitingNanos == b.waitingNanos
      && a.reasons.map(\.reason) == b.reasons.map(\.reason) && a.reasons.map(\.nanos) == b.reasons.map(\.nanos)
      && a.otherThreadsNanos == b.otherThreadsNanos && a.otherThreads == b.otherThreads
      && a.unwaitedNanos == b.unwaitedNanos && a.unwaitedThreads == b.unwaitedThreads
  }
}

/// Classifies off-CPU stacks by wait reason. Pure: reads the profile's names and labels.
public enum WaitReasons {
  /// The reason for a stack given its function names, leaf first: the first frame with a known
  /// name decides (kernel frames come first, libc's wrappers when kernel frames are missing).
  public static func classify<S: Sequence>(leafFirst names: S) -> WaitReason where S.Element == String {
    for name in names {
      if let reason = byName[normalized(name)] { return reason }
    }
    return .other
  }

  /// The split of `profile`'s `offcpu` column for `thread` (default: the run's main thread);
  /// nil when the profile has no `offcpu` column.
  public static func breakdown(_ profile: Profile, thread: Int32? = nil) -> WaitBreakdown? {
    guard let offColumn = profile.sampleTypeIndex(named: "offcpu") else { return nil }
    let cpuColumn = profile.sampleTypeIndex(named: "cpu")
    let main = thread ?? profile.run.offCPU?.mainThread
    let tidKey = profile.strings.lookup("tid")
    let stateKey = profile.strings.lookup("state")
    let runnableValue = profile.strings.lookup("runnable")
    let unwaitedKey = profile.strings.lookup(UnwaitedTime.labelKey)
    let unwaitedValue = profile.strings.lookup(UnwaitedTime.labelValue)
    var result = WaitBreakdown(thread: main)
    var perReason: [WaitReason: Int64] = [:]
    var others: [Int64: Int64] = [:]
    var unwaited: [Int64: Int64] = [:]
    var names: [String] = []
    for row in 0..<profile.samples.count {
      let labels = profile.labelSets[profile.samples.labelSets[row]]
      let tid = tidKey.flatMap { key in labels.first { $0.key == key }?.number }
      let isMain = main == nil || tid == main.map(Int64.init)
      let off = profile.samples.value(row, offColumn)
      if isMain, let cpuColumn { result.cpuNanos &+= profile.samples.value(row, cpuColumn) }
      guard off > 0 else { continue }
      if UnwaitedTime.marks(labels, key: unwaitedKey, value: unwaitedValue) {
        unwaited[tid ?? -1, default: 0] &+= off
        continue
      }
      guard isMain else {
        others[tid ?? -1, default: 0] &+= off
        continue
      }
      result.waitingNanos &+= off
      let runnable = stateKey.map { key in labels.contains { $0.key == key && $0.string == runnableValue } } ?? false
      let reason: WaitReason
      if runnable {
        reason = .runnable
      } else {
        names.removeAll(keepingCapacity: true)
        profile.stacks.forEachFrame(leafFirst: profile.samples.stacks[row]) { loc in
          for line in profile.locations.lines(loc.index) { names.append(profile.name(of: line.function)) }
        }
        reason = classify(leafFirst: names)
      }
      perReason[reason, default: 0] &+= off
    }
    result.reasons = perReason.map { (reason: $0.key, nanos: $0.value) }.sorted {
      $0.nanos != $1.nanos ? $0.nanos > $1.nanos : $0.reason.rawValue < $1.reason.rawValue
    }
    result.otherThreads = others.count
    result.otherThreadsNanos = others.values.reduce(0, &+)
    result.unwaitedThreads = unwaited.count
    result.unwaitedNanos = unwaited.values.reduce(0, &+)
    return result
  }

  /// `clock_nanosleep@GLIBC_2.2.5` → `clock_nanosleep`, `__GI___lll_lock_wait` → `lll_lock_wait`,
  /// `__x64_sys_read` → `x64_sys_read`, `inherit_event.isra.0` → `inherit_event`.
  static func normalized(_ name: String) -> String {
    var s = Substring(name)
    if let at = s.firstIndex(of: "@") { s = s[..<at] }
    if s.hasPrefix("__GI_") { s = s.dropFirst(5) }
    while s.first == "_" { s = s.dropFirst() }
    // GCC's clones of kernel functions: inherit_event.isra.0, __mutex_lock.constprop.0.
    for suffix in [".isra.", ".constprop.", ".part.", ".cold"] {
      var i = s.startIndex
      while i < s.endIndex {
        if s[i...].hasPrefix(suffix) {
          s = s[..<i]
          break
        }
        i = s.index(after: i)
      }
    }
    return String(s)
  }

  private static let byName: [String: WaitReason] = {
    var table: [String: WaitReason] = [:]
    func add(_ reason: WaitReason, _ names: [String]) { for n in names { table[n] = reason } }
    add(
      .runnable,
      [
        "exit_to_user_mode_loop", "irqentry_exit_to_user_mode", "preempt_schedule_irq", "preempt_schedule",
        "preempt_schedule_common", "x64_sys_sched_yield", "do_sched_yield", "sched_yield",
      ])
    add(
      .profiler,
      [
        "perf_event_init_task", "inherit_task_group", "inherit_event", "perf_event_alloc", "perf_trace_init",
        "perf_tp_event_init",
      ])
    add(.pageFault, ["exc_page_fault", "asm_exc_page_fault", "do_user_addr_fault", "handle_mm_fault", "filemap_fault"])
    add(
      .futex,
      [
        "futex_wait", "futex_wait_queue", "futex_wait_queue_me", "do_futex", "x64_sys_futex", "lll_lock_wait",
        "lll_lock_wait_private", "futex_abstimed_wait_common", "futex_abstimed_wait_common64", "pthread_mutex_lock",
        "pthread_cond_wait", "pthread_cond_timedwait", "pthread_rwlock_rdlock", "pthread_rwlock_wrlock",
        "pthread_barrier_wait", "pthread_join", "sem_wait", "sem_timedwait",
      ])
    add(
      .sleep,
      [
        "do_nanosleep", "hrtimer_nanosleep", "common_nsleep", "x64_sys_clock_nanosleep", "x64_sys_nanosleep",
        "clock_nanosleep", "nanosleep", "libc_nanosleep", "usleep", "sleep",
      ])
    add(
      .poll,
      [
        "do_sys_poll", "do_poll", "ep_poll", "do_epoll_wait", "do_select", "core_sys_select", "x64_sys_poll",
        "x64_sys_ppoll", "x64_sys_epoll_wait", "x64_sys_epoll_pwait", "x64_sys_select", "x64_sys_pselect6", "poll",
        "ppoll", "epoll_wait", "epoll_pwait", "select", "pselect",
      ])
    add(
      .child, ["do_wait", "kernel_wait4", "x64_sys_wait4", "x64_sys_waitid", "waitpid", "wait4", "waitid", "libc_wait"])
    add(
      .read,
      [
        "pipe_read", "anon_pipe_read", "vfs_read", "ksys_read", "x64_sys_read", "x64_sys_pread64", "x64_sys_readv",
        "x64_sys_recvfrom", "x64_sys_recvmsg", "unix_stream_recvmsg", "tcp_recvmsg", "read", "libc_read", "pread64",
        "readv", "recv", "recvfrom", "recvmsg",
      ])
    add(
      .write,
      [
        "pipe_write", "vfs_write", "ksys_write", "x64_sys_write", "x64_sys_pwrite64", "x64_sys_writev",
        "x64_sys_sendto", "x64_sys_sendmsg", "write", "libc_write", "pwrite64", "writev", "send", "sendto", "sendmsg",
      ])
    return table
  }()
}
