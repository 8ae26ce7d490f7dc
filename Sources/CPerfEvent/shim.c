#define _GNU_SOURCE
#include "CPerfEvent.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

int perfsh_perf_event_open(struct perf_event_attr *attr, pid_t pid, int cpu, int group_fd,
                           unsigned long flags) {
  return (int)syscall(SYS_perf_event_open, attr, pid, cpu, group_fd, flags);
}

int perfsh_perf_event_enable(int fd) { return ioctl(fd, PERF_EVENT_IOC_ENABLE, 0); }
int perfsh_perf_event_disable(int fd) { return ioctl(fd, PERF_EVENT_IOC_DISABLE, 0); }
int perfsh_perf_event_set_output(int fd, int target_fd) {
  return ioctl(fd, PERF_EVENT_IOC_SET_OUTPUT, target_fd);
}

int perfsh_perf_event_id(int fd, uint64_t *id) { return ioctl(fd, PERF_EVENT_IOC_ID, id); }

uint64_t perfsh_ring_load_head(const struct perf_event_mmap_page *page) {
  return __atomic_load_n(&page->data_head, __ATOMIC_ACQUIRE);
}

void perfsh_ring_store_tail(struct perf_event_mmap_page *page, uint64_t tail) {
  __atomic_store_n(&page->data_tail, tail, __ATOMIC_RELEASE);
}

static void write_all(int fd, const void *buf, size_t len) {
  const char *p = buf;
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    p += n;
    len -= (size_t)n;
  }
}

pid_t perfsh_fork_gated(const char *path, char *const *argv, char *const *envp, const char *cwd,
                        int go_fd, int err_fd, int close_in_child_a, int close_in_child_b) {
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid != 0) return pid;  // parent (or -1 with errno)

  // Child: only async-signal-safe calls from here on.
  // Die with perfsh: a target that outlives it would run on unprofiled, reparented to init.
  // The signal is tied to the forking thread, which stays blocked in the sampler until
  // this child is reaped, so a normal run is never cut short. Checking getppid() after
  // prctl closes the race with a parent that died before the call.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(125);
  sigset_t empty;
  sigemptyset(&empty);
  sigprocmask(SIG_SETMASK, &empty, NULL);
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; sig++) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    sigaction(sig, &dfl, NULL);
  }
  if (close_in_child_a >= 0) close(close_in_child_a);
  if (close_in_child_b >= 0) close(close_in_child_b);

  char byte;
  for (;;) {
    ssize_t n = read(go_fd, &byte, 1);
    if (n == 1) break;
    if (n < 0 && errno == EINTR) continue;
    _exit(125);  // the parent closed the gate without opening it
  }

  // chdir after the gate opens: failing before it would let the child exit while the
  // parent still opens perf events on its pid (ESRCH instead of the real cause).
  if (cwd != NULL && chdir(cwd) != 0) {
    int code = -errno;
    write_all(err_fd, &code, sizeof code);
    _exit(127);
  }

  execve(path, argv, envp);
  int code = errno;
  write_all(err_fd, &code, sizeof code);
  _exit(127);
}

static int relay_fd = -1;
static struct sigaction saved_int, saved_term, saved_hup;
static int relay_installed = 0;
static volatile sig_atomic_t hangup_seen = 0;

static void relay_handler(int signo, siginfo_t *info, void *context) {
  (void)context;
  int saved = errno;
  if (signo == SIGHUP) hangup_seen = 1;
  int msg[2] = {signo, info != NULL ? info->si_code : 0};
  if (relay_fd >= 0) {
    ssize_t ignored = write(relay_fd, msg, sizeof msg);
    (void)ignored;
  }
  errno = saved;
}

int perfsh_signal_relay_install(int pipe_fd) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = relay_handler;
  sa.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset(&sa.sa_mask);
  relay_fd = pipe_fd;
  if (sigaction(SIGINT, &sa, &saved_int) != 0) return -1;
  if (sigaction(SIGTERM, &sa, &saved_term) != 0) {
    int e = errno;
    sigaction(SIGINT, &saved_int, NULL);
    errno = e;
    return -1;
  }
  if (sigaction(SIGHUP, &sa, &saved_hup) != 0) {
    int e = errno;
    sigaction(SIGINT, &saved_int, NULL);
    sigaction(SIGTERM, &saved_term, NULL);
    errno = e;
    return -1;
  }
  relay_installed = 1;
  return 0;
}

void perfsh_signal_relay_remove(void) {
  if (!relay_installed) return;
  sigaction(SIGINT, &saved_int, NULL);
  sigaction(SIGTERM, &saved_term, NULL);
  sigaction(SIGHUP, &saved_hup, NULL);
  relay_installed = 0;
  relay_fd = -1;
}

static void hangup_handler(int signo) {
  (void)signo;
  hangup_seen = 1;
}

int perfsh_hangup_watch_install(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = hangup_handler;
  sa.sa_flags = 0;  // no SA_RESTART: a blocking read (the prompt) returns EINTR
  sigemptyset(&sa.sa_mask);
  return sigaction(SIGHUP, &sa, NULL);
}

int perfsh_hangup_seen(void) { return hangup_seen != 0; }

int perfsh_si_user(void) { return SI_USER; }
int perfsh_si_queue(void) { return SI_QUEUE; }

int perfsh_pipe_cloexec(int fds[2], int nonblocking) {
  return pipe2(fds, O_CLOEXEC | (nonblocking ? O_NONBLOCK : 0));
}

int perfsh_pidfd_open(pid_t pid) {
#ifdef SYS_pidfd_open
  return (int)syscall(SYS_pidfd_open, pid, 0);
#else
  errno = ENOSYS;
  return -1;
#endif
}

int perfsh_has_file_capabilities(const char *path) {
  return getxattr(path, "security.capability", NULL, 0) > 0;
}
// Probe-cost calibration targets: a known first instruction (push %rbp) and no work, so a
// traced call of them measures only the probes' own cost (see ProbeCalibration.swift).
__asm__(
    ".text\n"
    ".globl perfsh_calibration_leaf\n"
    ".type perfsh_calibration_leaf, @function\n"
    "perfsh_calibration_leaf:\n"
    "  push %rbp\n"
    "  mov %rsp, %rbp\n"
    "  pop %rbp\n"
    "  ret\n"
    ".size perfsh_calibration_leaf, .-perfsh_calibration_leaf\n"
    ".globl perfsh_calibration_outer\n"
    ".type perfsh_calibration_outer, @function\n"
    "perfsh_calibration_outer:\n"
    "  push %rbp\n"
    "  mov %rsp, %rbp\n"
    "  push %rbx\n"
    "  push %rbx\n"
    "  mov %rdi, %rbx\n"
    "1:\n"
    "  test %rbx, %rbx\n"
    "  jz 2f\n"
    "  call perfsh_calibration_leaf\n"
    "  dec %rbx\n"
    "  jmp 1b\n"
    "2:\n"
    "  pop %rbx\n"
    "  pop %rbx\n"
    "  pop %rbp\n"
    "  ret\n"
    ".size perfsh_calibration_outer, .-perfsh_calibration_outer\n");
