/* Layouts shared by perfsh's BPF programs (the .bpf files of Sources/BPFObjects, compiled for the BPF
 * machine) and Swift (through CBPF): map keys, values and constants. Plain C types only, so the
 * same header compiles for both targets with the same sizes and alignment. */
#ifndef PERFSH_BPF_SHARED_H
#define PERFSH_BPF_SHARED_H

/* selftest.bpf: hits counted per attach cookie, to check that BPF loads and attaches here. */
#define PERFSH_SELFTEST_SLOTS 64

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
#define PERFSH_OFFCPU_COUNTERS 4

/* Byte offsets of the tracepoint fields read (from tracefs formats, set before load). */
struct perfsh_offcpu_config {
  unsigned int switch_prev_state; /* sched_switch: long prev_state */
  unsigned int switch_next_pid;   /* sched_switch: pid_t next_pid */
  unsigned int fork_child_pid;    /* sched_process_fork: pid_t child_pid */
  unsigned int waking_pid;        /* sched_waking: pid_t pid (the wakee) */
};

/* Per tid: off the CPU since `time` (0: on a CPU now), and the user registers of its last
 * switch-out: a thread that blocks again with the same instruction, stack and frame pointers
 * and system call reuses that switch-out's stack ids instead of walking both stacks again
 * (the walks were most of the cost: pingpong 2.5x the bare CPU with them, 1.4x cached). */
struct perfsh_offcpu_start {
  unsigned long long time;
  int pid;
  int user_stack;   /* stack id, or negative when none was stored */
  int kernel_stack;
  unsigned int runnable; /* preempted or yielded while still runnable */
  int waker;        /* last thread of the target that woke it during this wait, 0 if none */
  unsigned int reserved;
  unsigned long long ip, sp, bp, syscall;
};

/* Aggregate key: off-CPU time per thread, stacks and state. */
struct perfsh_offcpu_key {
  int pid;
  int tid;
  int user_stack;
  int kernel_stack;
  unsigned int runnable;
  unsigned int reserved;
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

#endif
