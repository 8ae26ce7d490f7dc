#define _GNU_SOURCE
#include "CPerfEvent.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
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

/// Everything the gated child reads, copied into the launch mapping: the child shares
/// perfsh's memory until its exec, so it must not read anything perfsh may free or change.
struct gated_args {
  const char *path;
  char *const *argv;
  char *const *envp;
  const char *cwd;
  int go_fd, err_fd, close_a, close_b;
  pid_t parent;
};

#if defined(__x86_64__) || defined(__aarch64__)
#define PERFSH_CLONE_VM_LAUNCH 1

/// A system call that does not touch errno: the child shares perfsh's memory and its
/// thread pointer, so a libc wrapper setting errno would write the forking thread's errno.
static long raw_syscall(long number, long a, long b, long c, long d) {
#if defined(__x86_64__)
  long ret;
  register long r10 __asm__("r10") = d;
  __asm__ volatile("syscall"
                   : "=a"(ret)
                   : "a"(number), "D"(a), "S"(b), "d"(c), "r"(r10)
                   : "rcx", "r11", "memory");
  return ret;
#else
  register long x8 __asm__("x8") = number;
  register long x0 __asm__("x0") = a;
  register long x1 __asm__("x1") = b;
  register long x2 __asm__("x2") = c;
  register long x3 __asm__("x3") = d;
  __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3) : "memory");
  return x0;
#endif
}

/// The kernel's struct sigaction (not glibc's): handler, flags, restorer, 64-bit mask.
struct kernel_sigaction {
  void (*handler)(int);
  unsigned long flags;
  void (*restorer)(void);
  uint64_t mask;
};

static void child_write_all(int fd, const void *buf, size_t len) {
  const char *p = buf;
  while (len > 0) {
    long n = raw_syscall(SYS_write, fd, (long)p, (long)len, 0);
    if (n == -EINTR) continue;
    if (n <= 0) return;
    p += n;
    len -= (size_t)n;
  }
}

static _Noreturn void child_exit(int code) {
  for (;;) raw_syscall(SYS_exit_group, code, 0, 0, 0);
}

#endif

#ifdef PERFSH_CLONE_VM_LAUNCH
#define CHILD_SYSCALL(n, a, b, c, d) raw_syscall((n), (long)(a), (long)(b), (long)(c), (long)(d))
#else
#define CHILD_SYSCALL(n, a, b, c, d) syscall((n), (a), (b), (c), (d))
#endif

static void child_close_if_cloexec(long fd, int keep_a, int keep_b) {
  if (fd < 3 || fd == keep_a || fd == keep_b) return;
  long flags = CHILD_SYSCALL(SYS_fcntl, fd, F_GETFD, 0, 0);
  if (flags >= 0 && (flags & FD_CLOEXEC)) CHILD_SYSCALL(SYS_close, fd, 0, 0, 0);
}

/// Closes the child's copies of perfsh's close-on-exec descriptors (all but `keep_a` and
/// `keep_b`) before it waits at the gate, where the exec would close them only later: while
/// the child holds a copy of an event or BPF link perfsh is releasing in the background (the
/// last run's probes), the kernel keeps that event alive, its uprobe definition stays busy,
/// and the release gives up. Descriptors without close-on-exec (handed down to the target
/// by whoever started perfsh) stay. Raw system calls only (no allocation, no errno).
static void child_close_cloexec_descriptors(int keep_a, int keep_b) {
  long dir = CHILD_SYSCALL(SYS_openat, AT_FDCWD, "/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (dir < 0) {
    for (long fd = 3; fd < 1024; fd++) child_close_if_cloexec(fd, keep_a, keep_b);
    return;
  }
  char buffer[2048] __attribute__((aligned(8)));
  for (;;) {
    long n = CHILD_SYSCALL(SYS_getdents64, dir, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    for (long offset = 0; offset < n;) {
      // struct linux_dirent64: ino (8), off (8), reclen (2), type (1), name.
      unsigned short reclen;
      memcpy(&reclen, buffer + offset + 16, sizeof reclen);
      const char *name = buffer + offset + 19;
      long fd = 0;
      int digits = 0;
      for (; name[digits] >= '0' && name[digits] <= '9' && digits < 10; digits++) fd = fd * 10 + (name[digits] - '0');
      if (digits > 0 && name[digits] == '\0' && fd != dir) child_close_if_cloexec(fd, keep_a, keep_b);
      if (reclen == 0) break;
      offset += reclen;
    }
  }
  CHILD_SYSCALL(SYS_close, dir, 0, 0, 0);
}

#ifdef PERFSH_CLONE_VM_LAUNCH
/// The child between clone and exec: raw system calls only, on the launch mapping's stack.
static int gated_child(void *argument) {
  const struct gated_args *a = argument;
  // Die with perfsh: a target that outlives it would run on unprofiled, reparented to init.
  // The signal is tied to the forking thread, which stays blocked in the sampler until
  // this child is reaped, so a normal run is never cut short. Checking getppid() after
  // prctl closes the race with a parent that died before the call.
  raw_syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0);
  if (raw_syscall(SYS_getppid, 0, 0, 0, 0) != a->parent) child_exit(125);
  // Every disposition back to the default while all signals are still blocked (perfsh
  // blocked them around clone): a handler of perfsh must never run in this child.
  struct kernel_sigaction dfl = {SIG_DFL, 0, NULL, 0};
  for (int sig = 1; sig <= 64; sig++) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    raw_syscall(SYS_rt_sigaction, sig, (long)&dfl, 0, sizeof(uint64_t));
  }
  uint64_t empty = 0;
  raw_syscall(SYS_rt_sigprocmask, SIG_SETMASK, (long)&empty, 0, sizeof empty);
  if (a->close_a >= 0) raw_syscall(SYS_close, a->close_a, 0, 0, 0);
  if (a->close_b >= 0) raw_syscall(SYS_close, a->close_b, 0, 0, 0);
  child_close_cloexec_descriptors(a->go_fd, a->err_fd);

  char byte;
  for (;;) {
    long n = raw_syscall(SYS_read, a->go_fd, (long)&byte, 1, 0);
    if (n == 1) break;
    if (n == -EINTR) continue;
    child_exit(125);  // the parent closed the gate without opening it
  }

  // chdir after the gate opens: failing before it would let the child exit while the
  // parent still opens perf events on its pid (ESRCH instead of the real cause).
  if (a->cwd != NULL) {
    long r = raw_syscall(SYS_chdir, (long)a->cwd, 0, 0, 0);
    if (r < 0) {
      int code = (int)r;  // -errno, as the parent expects for chdir
      child_write_all(a->err_fd, &code, sizeof code);
      child_exit(127);
    }
  }

  long r = raw_syscall(SYS_execve, (long)a->path, (long)a->argv, (long)a->envp, 0);
  int code = (int)-r;
  child_write_all(a->err_fd, &code, sizeof code);
  child_exit(127);
}
#endif

#ifndef PERFSH_CLONE_VM_LAUNCH
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
#endif

enum { launch_stack_size = 64 * 1024 };

static size_t count_strings(char *const *list) {
  size_t n = 0;
  while (list[n] != NULL) n++;
  return n;
}

static size_t strings_size(char *const *list, size_t count) {
  size_t size = 0;
  for (size_t i = 0; i < count; i++) size += strlen(list[i]) + 1;
  return size;
}

/// Copies `count` strings into `*cursor` and their pointers into `table` (NULL-terminated).
static void copy_strings(char *const *list, size_t count, char **table, char **cursor) {
  for (size_t i = 0; i < count; i++) {
    size_t len = strlen(list[i]) + 1;
    memcpy(*cursor, list[i], len);
    table[i] = *cursor;
    *cursor += len;
  }
  table[count] = NULL;
}

pid_t perfsh_fork_gated(const char *path, char *const *argv, char *const *envp, const char *cwd,
                        int go_fd, int err_fd, int close_in_child_a, int close_in_child_b,
                        struct perfsh_launch *launch) {
  launch->base = NULL;
  launch->size = 0;
#ifdef PERFSH_CLONE_VM_LAUNCH
  // The child shares perfsh's memory (clone(CLONE_VM), like posix_spawn) instead of a
  // copy of it (fork): no page tables to copy in perfsh, and no copy of perfsh's address
  // space for the exec to tear down, which the kernel charges to the target's CPU time
  // (about 0.7 ms at a 30 MB perfsh, 2.8 ms at 100 MB, measured). Everything the child
  // reads lives in one mapping that perfsh releases after the exec (perfsh_launch_release).
  size_t argc = count_strings(argv), envc = count_strings(envp);
  size_t pointers = (argc + 1 + envc + 1) * sizeof(char *);
  size_t text = strlen(path) + 1 + (cwd != NULL ? strlen(cwd) + 1 : 0) + strings_size(argv, argc) +
                strings_size(envp, envc);
  size_t data = sizeof(struct gated_args) + pointers + text;
  size_t page = 4096;
  size_t size = ((data + page - 1) / page) * page + launch_stack_size;
  char *base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (base == MAP_FAILED) return -1;
  struct gated_args *a = (struct gated_args *)base;
  char **argv_copy = (char **)(base + sizeof *a);
  char **envp_copy = argv_copy + argc + 1;
  char *cursor = (char *)(envp_copy + envc + 1);
  copy_strings(argv, argc, argv_copy, &cursor);
  copy_strings(envp, envc, envp_copy, &cursor);
  size_t path_len = strlen(path) + 1;
  memcpy(cursor, path, path_len);
  a->path = cursor;
  cursor += path_len;
  a->cwd = NULL;
  if (cwd != NULL) {
    size_t cwd_len = strlen(cwd) + 1;
    memcpy(cursor, cwd, cwd_len);
    a->cwd = cursor;
  }
  a->argv = argv_copy;
  a->envp = envp_copy;
  a->go_fd = go_fd;
  a->err_fd = err_fd;
  a->close_a = close_in_child_a;
  a->close_b = close_in_child_b;
  a->parent = getpid();

  sigset_t all, saved;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &saved);
  pid_t pid = clone(gated_child, base + size, CLONE_VM | SIGCHLD, a);
  int clone_errno = errno;
  pthread_sigmask(SIG_SETMASK, &saved, NULL);
  if (pid < 0) {
    munmap(base, size);
    errno = clone_errno;
    return -1;
  }
  launch->base = base;
  launch->size = size;
  return pid;
#else
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid != 0) return pid;  // parent (or -1 with errno)

  // Child: only async-signal-safe calls from here on (see the clone path for the reasons).
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
  child_close_cloexec_descriptors(go_fd, err_fd);

  char byte;
  for (;;) {
    ssize_t n = read(go_fd, &byte, 1);
    if (n == 1) break;
    if (n < 0 && errno == EINTR) continue;
    _exit(125);
  }
  if (cwd != NULL && chdir(cwd) != 0) {
    int code = -errno;
    write_all(err_fd, &code, sizeof code);
    _exit(127);
  }
  execve(path, argv, envp);
  int code = errno;
  write_all(err_fd, &code, sizeof code);
  _exit(127);
#endif
}

void perfsh_launch_release(struct perfsh_launch *launch) {
  if (launch->base != NULL) munmap(launch->base, launch->size);
  launch->base = NULL;
  launch->size = 0;
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
