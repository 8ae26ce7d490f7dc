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

struct perfsh_trace_config {
  unsigned long long inside_ns;  /* probe cost inside a call (taken out of its self time) */
  unsigned long long outside_ns; /* per traced callee, outside the callee (taken out of the caller) */
  unsigned int functions;        /* functions traced */
  unsigned int log_capacity;     /* calls kept one by one in call_log */
};

struct perfsh_trace_frame {
  unsigned long long entry;        /* bpf_ktime_get_ns at the entry probe */
  unsigned long long off_at_entry; /* the thread's switched-out time then */
  unsigned long long child_cpu;    /* sums over the traced calls this call made */
  unsigned long long child_wall;
  unsigned long long children;     /* traced calls made directly */
  unsigned long long descendants;  /* at any depth */
  unsigned int function;
  unsigned int pad;
};

struct perfsh_trace_thread {
  unsigned long long off_cpu;      /* switched-out time since first seen */
  unsigned long long switched_out; /* when switched out, while it is (0: running) */
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

#endif
