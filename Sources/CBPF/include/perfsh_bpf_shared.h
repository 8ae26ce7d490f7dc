/* Layouts shared by perfsh's BPF programs (the .bpf files of Sources/BPFObjects, compiled for the BPF
 * machine) and Swift (through CBPF): map keys, values and constants. Plain C types only, so the
 * same header compiles for both targets with the same sizes and alignment. */
#ifndef PERFSH_BPF_SHARED_H
#define PERFSH_BPF_SHARED_H

/* selftest.bpf: hits counted per attach cookie, to check that BPF loads and attaches here. */
#define PERFSH_SELFTEST_SLOTS 64

/* trace.bpf (issue 12): traced calls paired and aggregated in the kernel. Sites come in pairs, cookie
 * = 2 × function + (1 for the return probe). Per thread a shadow stack of open calls; per function
 * per-CPU aggregates and log-linear histograms of self times. */
#define PERFSH_TRACE_DEPTH 64            /* open calls kept per thread (the kernel's uretprobe limit) */
#define PERFSH_TRACE_SUB_BITS 5          /* histogram: 32 sub-buckets per power of two (≤ 3.1 % wide) */
#define PERFSH_TRACE_BUCKETS 1024        /* per histogram; values past the last bucket land in it */
#define PERFSH_TRACE_HISTOGRAMS 4        /* per function: CPU self, wall self (corrected), then raw */

/* Stolen time: on a virtual machine, time the host ran something else while a thread was on a
 * virtual CPU. The thread's own CPU clock (CLOCK_THREAD_CPUTIME_ID) leaves it out, so a traced
 * call's CPU time does too. KVM publishes it per CPU (struct kvm_steal_time, `steal` first, in ns);
 * that variable is not in kallsyms, so a program finds it from the CPU's run queue: current task →
 * se.cfs_rq → rq, plus the distance from `runqueues` to `steal_time` in the kernel's per-CPU section
 * (all offsets from its BTF, KernelBTF.stealClockLayout). perfsh_bpf_steal.h reads it. */
struct perfsh_steal_layout {
  unsigned int enabled;            /* 1: the kernel has a steal clock, found through the fields below */
  unsigned int task_cfs_rq_offset; /* offsetof(task_struct, se) + offsetof(sched_entity, cfs_rq) */
  unsigned int cfs_rq_rq_offset;   /* offsetof(struct cfs_rq, rq) */
  unsigned int reserved;
  long long rq_to_steal;           /* &steal_time − &runqueues in the per-CPU section */
};

/* Per CPU (the steal_area map): where its steal clock is, and the value last read there. */
struct perfsh_steal_area {
  unsigned long long address;
  unsigned long long last;
};

struct perfsh_trace_config {
  unsigned long long inside_ns;  /* probe cost inside a call (taken out of its self time) */
  unsigned long long outside_ns; /* per traced callee, outside the callee (taken out of the caller) */
  unsigned int functions;        /* functions traced */
  unsigned int log_capacity;     /* calls kept one by one in call_log */
  unsigned int task_pid_offset;  /* offsetof(struct task_struct, pid), from the kernel's BTF (KernelBTF) */
  unsigned int reserved;
  struct perfsh_steal_layout steal;
};

struct perfsh_trace_frame {
  unsigned long long entry;        /* bpf_ktime_get_ns at the entry probe */
  unsigned long long off_at_entry; /* the thread's switched-out time then */
  unsigned long long child_cpu;    /* sums over the traced calls this call made */
  unsigned long long child_wall;
  unsigned long long children;     /* traced calls made directly */
  unsigned long long descendants;  /* at any depth */
  unsigned long long steal_at_entry; /* the thread's stolen time then */
  unsigned int function;
  unsigned int pad;
};

struct perfsh_trace_thread {
  unsigned long long off_cpu;      /* switched-out time since first seen */
  unsigned long long switched_out; /* when switched out, while it is (0: running) */
  unsigned long long stolen;       /* stolen time while on a CPU, up to steal_in's moment */
  unsigned long long steal_in;     /* the CPU's steal clock when the thread came on it */
  unsigned int depth;              /* open calls in frames */
  unsigned int pad;
  struct perfsh_trace_frame frames[PERFSH_TRACE_DEPTH];
};

struct perfsh_trace_stats {
  unsigned long long calls;
  unsigned long long hits;               /* probe hits (entries and returns) */
  unsigned long long unmatched_entries;  /* left by a return of an outer call, or past the depth */
  unsigned long long unmatched_returns;
  unsigned long long children;
  unsigned long long descendants;
  unsigned long long cpu_self, cpu_total, wall_self, wall_total;
  unsigned long long cpu_max, wall_max;          /* per-call self, probe cost taken out */
  unsigned long long raw_cpu_max, raw_wall_max;
  unsigned long long stolen;                     /* stolen time inside the calls, taken out of cpu_* */
};

/* One histogram of one function (per CPU): key = function × PERFSH_TRACE_HISTOGRAMS + which. */
struct perfsh_trace_histogram {
  unsigned long long counts[PERFSH_TRACE_BUCKETS];
};

/* A completed call, kept one by one for `export chrome` (the first log_capacity calls). */
struct perfsh_trace_call {
  unsigned long long start;
  unsigned long long wall;
  unsigned long long cpu;
  unsigned int function;
  unsigned int tid;
};

/* ---- steal.bpf (the ring path's stolen time per thread; Sources/Capture/Trace/StealMarker.swift) ---- */
struct perfsh_steal_config {
  unsigned int task_pid_offset; /* offsetof(struct task_struct, pid) */
  unsigned int reserved;
  struct perfsh_steal_layout steal;
};

/* Per tid of a thread that hit a traced probe. */
struct perfsh_steal_thread {
  unsigned long long stolen;   /* stolen time while on a CPU, up to steal_in's moment */
  unsigned long long steal_in; /* the CPU's steal clock when the thread came on it */
  unsigned long long emitted;  /* the stolen time last written to the thread's ring */
};

/* ---- offcpu.bpf (run --off-cpu aggregated in the kernel; Sources/Capture/BPF/BPFOffCPU.swift) ---- */
/* Frames kept per stack (user and kernel stacks each; the kernel's perf_event_max_stack is 127). */
#define PERFSH_OFFCPU_STACK_DEPTH 127
/* Waits at least this long are also kept one by one (with the thread that ended them), for the
 * critical-thread rule; shorter ones only add to their aggregate. */
#define PERFSH_OFFCPU_MIN_INTERVAL_NS 100000ULL
/* Slots of the interval array (later waits are counted as dropped). */
#define PERFSH_OFFCPU_INTERVALS 65536
/* Slots of the per-CPU counter array. */
#define PERFSH_OFFCPU_SWITCHES 0       /* switch-outs of the target's threads */
#define PERFSH_OFFCPU_STACK_MISSES 1   /* stacks bpf_get_stackid could not store */
#define PERFSH_OFFCPU_DROPPED 2        /* waits lost because a map was full */
#define PERFSH_OFFCPU_STACK_WALKS 3    /* switch-outs at a new place: both stacks walked */
#define PERFSH_OFFCPU_COPIES_FULL 4    /* new places past the copy array: user stack walked instead */
#define PERFSH_OFFCPU_GLUE_MISSING 5   /* 1 when __schedule was not among a kernel stack's first frames */
#define PERFSH_OFFCPU_UNSEEN 6         /* waits whose end (the thread's switch-in) was not seen */
#define PERFSH_OFFCPU_COUNTERS 8

/* Most bytes of user stack one copy holds, and how many places get a copy. */
#define PERFSH_OFFCPU_COPY_BYTES 2048
#define PERFSH_OFFCPU_COPIES 4096

/* Set before load. copy_bytes 0: user stacks are frame-pointer walks (bpf_get_stackid); else
 * each new place copies its user registers and up to copy_bytes of its user stack (a power of
 * two, at most PERFSH_OFFCPU_COPY_BYTES) for perfsh to unwind with CFI, as the record path does
 * — binaries without frame pointers (Debian's libc) keep the callers of their syscall wrappers. */
struct perfsh_offcpu_config {
  unsigned int copy_bytes;
  unsigned int task_pid_offset; /* offsetof(struct task_struct, pid), from the kernel's BTF (KernelBTF) */
  char symbol_format[8];  /* "%ps": bpf_snprintf's format must be in read-only map memory */
  char glue_function[16]; /* "__schedule": where a kernel stack taken in the program should start */
};

/* A place's user registers, in perf's sample_regs_user order for the mask 0x1ff | 0xff << 16
 * (ax bx cx dx si di bp sp ip r8 … r15), and its user stack from sp. */
struct perfsh_offcpu_copy {
  unsigned long long regs[17];
  unsigned int size; /* bytes of `bytes` copied; 0 when the stack could not be read */
  int pid;
  unsigned char bytes[PERFSH_OFFCPU_COPY_BYTES];
};

/* Where a thread left the CPU (its user registers, system call and state) and the stack ids
 * taken there: a thread that leaves again at one of its last places reuses that place's stack
 * ids instead of walking both stacks again (the walks are most of the cost: pingpong 2.5x the
 * bare CPU with them). A thread alternates between places (pingpong's threads block in read
 * and are preempted at write's return when they wake the other), so several are kept. */
#define PERFSH_OFFCPU_PLACES 4
struct perfsh_offcpu_place {
  unsigned long long ip, sp, bp, syscall, arg; /* arg: the system call's first argument (di) */
  int user_stack;   /* stack id, or negative when none was stored */
  int kernel_stack;
  unsigned int runnable;
  unsigned int used;
  unsigned int user_copy; /* slot + 1 in the copy array, 0 when the user stack is a walk */
  unsigned int reserved;
  /* The waits begun here, added up in place (no aggregate lookup per wait); moved to the
   * aggregate map when the place is replaced or its thread exits, read from here by perfsh
   * otherwise. */
  unsigned long long nanos;
  unsigned long long count;
};

/* Per tid: its last places, and the wait begun at `time` at place `current` (0: no wait
 * pending). A wait is added up at the thread's next switch-out (or exit), in its own context,
 * ending when it was switched in (perfsh_offcpu_running): the switch-in itself then needs no
 * lookup of the thread that comes in. */
struct perfsh_offcpu_start {
  unsigned long long time;
  unsigned long long task;       /* its task_struct, to find it in perfsh_offcpu_running */
  unsigned long long waker_time; /* when `waker` woke it: for this wait only if within it */
  int pid;
  int waker;        /* the first thread of the target that woke it during the wait, 0 if none */
  unsigned int current;    /* the place of the pending wait */
  unsigned int next_place; /* the place a new one replaces next (round robin) */
  struct perfsh_offcpu_place places[PERFSH_OFFCPU_PLACES];
};

/* Per CPU: the task on it (its task_struct's address, as sched_switch gives it) and since when
 * (its last switch-in), which ends that task's pending wait; perfsh reads it at the end for
 * threads still on a CPU. */
struct perfsh_offcpu_running {
  unsigned long long since;
  unsigned long long task;
};

/* The target set shared by oncpu.bpf and offcpu.bpf: an array indexed by process id (sized to
 * the kernel's pid_max), so the check on every switch and timer tick is a load, not a hash
 * lookup. 0: not a target. */
#define PERFSH_TARGET_SEEDED 1  /* held at the exec gate: counted from its exec on */
#define PERFSH_TARGET_COUNTED 2

/* Aggregate key: off-CPU time per thread, stacks and state. */
struct perfsh_offcpu_key {
  int pid;
  int tid;
  int user_stack;
  int kernel_stack;
  unsigned int runnable;
  unsigned int user_copy; /* slot + 1 in the copy array, 0 when user_stack is a walk */
};

struct perfsh_offcpu_value {
  unsigned long long nanos;
  unsigned long long count;
};

/* One long wait (at least PERFSH_OFFCPU_MIN_INTERVAL_NS), in CLOCK_MONOTONIC nanoseconds. */
struct perfsh_offcpu_interval {
  struct perfsh_offcpu_key key;
  unsigned long long start;
  unsigned long long end;
  int waker;
  unsigned int reserved;
};

/* A stack of the stack-trace map: return addresses, zero after the last. */
struct perfsh_offcpu_stack {
  unsigned long long ips[PERFSH_OFFCPU_STACK_DEPTH];
};

/* ---- oncpu.bpf (per-CPU cpu-clock sampling filtered to the target; Sources/Capture/BPF/BPFSampleFilter.swift) ---- */
/* Slots of its per-CPU counter array. */
#define PERFSH_ONCPU_KEPT 0     /* timer ticks that hit a target thread: written as samples */
#define PERFSH_ONCPU_DROPPED 1  /* ticks that hit anything else: dropped in the kernel */
#define PERFSH_ONCPU_COUNTERS 2

#endif
