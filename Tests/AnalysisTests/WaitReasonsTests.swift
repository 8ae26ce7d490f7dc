import Analysis
import ProfileModel
import XCTest

/// Wait reasons come from the first known frame, leaf first (kernel frames, then libc's).
final class WaitReasonsTests: XCTestCase {
  func testKernelFramesNameTheReason() {
    XCTAssertEqual(WaitReasons.classify(leafFirst: ["schedule", "do_nanosleep", "hrtimer_nanosleep", "main"]), .sleep)
    XCTAssertEqual(WaitReasons.classify(leafFirst: ["schedule", "anon_pipe_read", "vfs_read", "__libc_read"]), .read)
    XCTAssertEqual(WaitReasons.classify(leafFirst: ["schedule", "pipe_write", "vfs_write"]), .write)
    XCTAssertEqual(
      WaitReasons.classify(leafFirst: ["schedule", "__futex_wait", "__x64_sys_futex", "__GI___lll_lock_wait"]), .futex)
    XCTAssertEqual(WaitReasons.classify(leafFirst: ["schedule", "do_wait", "kernel_wait4", "waitpid"]), .child)
    XCTAssertEqual(WaitReasons.classify(leafFirst: ["schedule", "ep_poll", "do_epoll_wait"]), .poll)
    XCTAssertEqual(WaitReasons.classify(leafFirst: ["schedule", "handle_mm_fault", "exc_page_fault"]), .pageFault)
    XCTAssertEqual(
      WaitReasons.classify(leafFirst: ["schedule", "exit_to_user_mode_loop", "irqentry_exit_to_user_mode", "compute"]),
      .runnable)
    // A new thread copying inherited perf events waits for the kernel's event mutex: the profiler's cost.
    XCTAssertEqual(
      WaitReasons.classify(leafFirst: [
        "schedule", "schedule_preempt_disabled", "__mutex_lock.constprop.0", "perf_trace_init", "perf_tp_event_init",
        "perf_try_init_event", "perf_event_alloc", "inherit_event.isra.0", "copy_process", "clone3",
      ]), .profiler)
  }

  func testUserFramesServeWhenKernelFramesAreMissing() {
    XCTAssertEqual(
      WaitReasons.classify(leafFirst: ["clock_nanosleep@GLIBC_2.2.5", "__nanosleep", "nap", "main"]), .sleep)
    XCTAssertEqual(
      WaitReasons.classify(leafFirst: ["__GI___lll_lock_wait", "pthread_mutex_lock@@GLIBC_2.2.5"]), .futex)
    XCTAssertEqual(WaitReasons.classify(leafFirst: ["compute", "main"]), .other)
  }
}
