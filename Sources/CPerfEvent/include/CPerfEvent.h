// CPerfEvent: the parts of the perf_event_open interface Swift cannot import.
// The variadic syscall() and the function-like PERF_EVENT_IOC_* macros do not import,
// so each is wrapped in a small prefixed function here. Struct layouts come from
// <linux/perf_event.h> directly (their bitfields import fine).
// The child side of the fork/exec gate also lives here: between fork() and exec() a
// child of a multi-threaded process may only make async-signal-safe calls, which
// Swift cannot promise.
#ifndef PERFSH_CPERFEVENT_H
#define PERFSH_CPERFEVENT_H

#include <linux/perf_event.h>
#include <stdint.h>
#include <sys/types.h>

/// perf_event_open(2): returns a file descriptor or -1 with errno set.
int perfsh_perf_event_open(struct perf_event_attr *_Nonnull attr, pid_t pid, int cpu,
                           int group_fd, unsigned long flags);

/// ioctl(fd, PERF_EVENT_IOC_ENABLE, 0)
int perfsh_perf_event_enable(int fd);
/// ioctl(fd, PERF_EVENT_IOC_DISABLE, 0)
int perfsh_perf_event_disable(int fd);
/// ioctl(fd, PERF_EVENT_IOC_SET_OUTPUT, target_fd): redirect fd's records into target's ring.
int perfsh_perf_event_set_output(int fd, int target_fd);

/// ioctl(fd, PERF_EVENT_IOC_ID, id): the kernel's id of an event, as PERF_SAMPLE_IDENTIFIER reports it.
int perfsh_perf_event_id(int fd, uint64_t *_Nonnull id);

/// Reads perf_event_mmap_page.data_head with acquire ordering (pairs with the kernel's
/// store; record bytes below the head are visible after this load).
uint64_t perfsh_ring_load_head(const struct perf_event_mmap_page *_Nonnull page);
/// Stores perf_event_mmap_page.data_tail with release ordering (all reads of record bytes
/// below the tail happen before the kernel may overwrite them).
void perfsh_ring_store_tail(struct perf_event_mmap_page *_Nonnull page, uint64_t tail);

/// The memory a gated child reads until its exec (its stack and copies of the arguments).
struct perfsh_launch {
  void *_Nullable base;
  size_t size;
};

/// Starts a child that waits at a gate before exec.
///
/// The child resets every signal disposition to the default and unblocks all signals,
/// closes `close_in_child_a` / `close_in_child_b` (the parent's pipe ends; -1 to skip),
/// then blocks reading one byte from `go_fd`. On a byte it changes to `cwd` when it is not
/// NULL and calls execve(path, argv, envp); on end-of-file (the parent gave up) it exits
/// with 125. When execve fails it writes errno (an int) to `err_fd` and exits with 127;
/// a failed chdir writes -errno instead. `go_fd` and `err_fd` must be O_CLOEXEC so a
/// successful exec closes them. The child asks for SIGKILL when perfsh (the forking thread)
/// dies (PR_SET_PDEATHSIG; the kernel clears it at a set-user-ID exec) and exits with 125
/// when perfsh is already gone. Returns the child's pid, or -1 with errno set.
///
/// On x86-64 and arm64 the child shares perfsh's memory until its exec (clone(CLONE_VM), as
/// posix_spawn does) and runs on `launch`'s mapping: call perfsh_launch_release only once the
/// child has exec'd (end-of-file on `err_fd`) or has been reaped. Elsewhere it is fork() and
/// `launch` stays empty.
pid_t perfsh_fork_gated(const char *_Nonnull path, char *_Nullable const *_Nonnull argv,
                        char *_Nullable const *_Nonnull envp, const char *_Nullable cwd,
                        int go_fd, int err_fd, int close_in_child_a, int close_in_child_b,
                        struct perfsh_launch *_Nonnull launch);
/// Unmaps a launch's memory (no-op when empty) and empties it.
void perfsh_launch_release(struct perfsh_launch *_Nonnull launch);

/// Installs SIGINT, SIGTERM and SIGHUP handlers that write (signo, si_code) as two ints to
/// `pipe_fd` (non-blocking) instead of terminating perfsh; SIGHUP also sets the hangup
/// flag (perfsh_hangup_seen). Returns 0 or -1 with errno.
int perfsh_signal_relay_install(int pipe_fd);
/// Restores the SIGINT, SIGTERM and SIGHUP dispositions saved by perfsh_signal_relay_install.
void perfsh_signal_relay_remove(void);

/// Installs a SIGHUP handler that only sets the hangup flag, without SA_RESTART so a
/// blocking read returns EINTR. Returns 0 or -1 with errno.
int perfsh_hangup_watch_install(void);
/// 1 once SIGHUP arrived (through the relay or the hangup watch), else 0.
int perfsh_hangup_seen(void);

/// pipe2(fds, O_CLOEXEC | (nonblocking ? O_NONBLOCK : 0)); pipe2 needs _GNU_SOURCE to import.
int perfsh_pipe_cloexec(int fds[_Nonnull 2], int nonblocking);

/// pidfd_open(pid, 0): a descriptor that polls readable when the process exits
/// (Linux 5.3+); -1 with errno set (e.g. ENOSYS) otherwise.
int perfsh_pidfd_open(pid_t pid);

/// SI_USER and SI_QUEUE: si_code values of signals sent with kill(2) / sigqueue(3).
int perfsh_si_user(void);
int perfsh_si_queue(void);

/// 1 when `path` carries file capabilities (a security.capability xattr), else 0;
/// <sys/xattr.h> does not import into Swift.
int perfsh_has_file_capabilities(const char *_Nonnull path);
/// Probe-cost calibration targets (written in assembly so their first instruction is
/// known: `push %rbp`, the kind the kernel emulates, where trace probes are placed).
/// perfsh_calibration_leaf does nothing; perfsh_calibration_outer calls it `n` times.
void perfsh_calibration_leaf(void);
void perfsh_calibration_outer(uint64_t n);

#endif
