// percall: ground truth for traced per-call times. Each pc_* function spins for a fixed
// amount of CPU work, calibrated in-process with CLOCK_THREAD_CPUTIME_ID, or sleeps:
//   pc_tiny   ~0.5 us x 20,000 calls     pc_small ~5 us x 4,000
//   pc_mid    ~100 us x 300              pc_big   ~10 ms x 10
//   pc_sleep  sleeps 10 ms x 10 (about no CPU)
//   pc_parent ~50 us of its own work + 10 pc_small calls, x 100
// `traced-phase cpu_ns=N` is the thread's CPU time over all traced calls.
// Right before each function's traced calls it measures the same work untraced (the spin inlined, not through
// the pc_* functions) and prints, per function, to stderr (or to the file `percall FILE`):
//   truth NAME calls=N cpu_mean_ns=X cpu_p95_ns=Y wall_mean_ns=Z
// (cpu_mean from a batch timed with CLOCK_THREAD_CPUTIME_ID, p95 from single calls timed
// with the thread's CPU clock). `percall spin` only spins (a busy process for contention tests).
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static volatile uint64_t sink;
static uint64_t per_us;  // spin iterations per microsecond of CPU
static FILE *out;        // where truth lines go: stderr, or the file named by argv[1]

__attribute__((noinline)) void keep_frame(void) { __asm__ volatile(""); }

static inline __attribute__((always_inline)) uint64_t spin(uint64_t n) {
  uint64_t x = 17;
  for (uint64_t i = 0; i < n; i++) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    __asm__ volatile("" : "+r"(x));
  }
  return x;
}

static int64_t clock_ns(clockid_t c) {
  struct timespec ts;
  clock_gettime(c, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

#define WORK(name, ns)                                       \
  __attribute__((noinline)) uint64_t name(uint64_t seed) {   \
    keep_frame();                                            \
    return spin(per_us * (ns) / 1000) + seed;                \
  }
WORK(pc_tiny, 500)
WORK(pc_small, 5000)
WORK(pc_mid, 100000)
WORK(pc_big, 10000000)

__attribute__((noinline)) uint64_t pc_sleep(uint64_t seed) {
  keep_frame();
  struct timespec nap = {0, 10 * 1000 * 1000};
  nanosleep(&nap, NULL);
  return seed + 1;
}

__attribute__((noinline)) uint64_t pc_parent(uint64_t seed) {
  uint64_t x = spin(per_us * 50) + seed;
  for (int i = 0; i < 10; i++) x += pc_small(x);
  return x;
}

static int cmp64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

// Times `calls` runs of the untraced work of `ns` nanoseconds and prints the truth line.
static void truth(const char *name, int calls, uint64_t ns, int sleeps) {
  int n = calls < 2000 ? calls : 2000;
  int64_t *single = malloc(sizeof(int64_t) * (size_t)n);
  struct timespec nap = {0, 10 * 1000 * 1000};
  int64_t c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID), w0 = clock_ns(CLOCK_MONOTONIC);
  for (int i = 0; i < n; i++) {
    if (sleeps) nanosleep(&nap, NULL); else sink += spin(per_us * ns / 1000);
  }
  int64_t c1 = clock_ns(CLOCK_THREAD_CPUTIME_ID), w1 = clock_ns(CLOCK_MONOTONIC);
  // Single calls timed with the thread's CPU clock, less the clock's own cost (the median
  // of timing nothing).
  for (int i = 0; i < n; i++) {
    int64_t t0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    single[i] = clock_ns(CLOCK_THREAD_CPUTIME_ID) - t0;
  }
  qsort(single, (size_t)n, sizeof(int64_t), cmp64);
  int64_t clock_cost = single[n / 2];
  for (int i = 0; i < n; i++) {
    int64_t t0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    if (sleeps) nanosleep(&nap, NULL); else sink += spin(per_us * ns / 1000);
    single[i] = clock_ns(CLOCK_THREAD_CPUTIME_ID) - t0 - clock_cost;
  }
  qsort(single, (size_t)n, sizeof(int64_t), cmp64);
  int rank = (int)((95 * (int64_t)n + 99) / 100);
  int64_t p95 = sleeps ? 0 : single[rank - 1];
  fprintf(out, "truth %s calls=%d cpu_mean_ns=%lld cpu_p95_ns=%lld wall_mean_ns=%lld\n", name, calls,
          (long long)((c1 - c0) / n), (long long)p95, (long long)((w1 - w0) / n));
  free(single);
}

int main(int argc, char **argv) {
  // Calibrate: the fewest CPU nanoseconds of 5 runs of 2M iterations.
  int64_t best = INT64_MAX;
  for (int r = 0; r < 5; r++) {
    int64_t t0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    sink += spin(2000000);
    int64_t t = clock_ns(CLOCK_THREAD_CPUTIME_ID) - t0;
    if (t < best) best = t;
  }
  per_us = (uint64_t)(2000000.0 * 1000.0 / (double)(best > 0 ? best : 1));
  if (argc > 1 && strcmp(argv[1], "spin") == 0) {
    for (;;) sink += spin(per_us * 1000000);
  }
  out = argc > 1 ? fopen(argv[1], "w") : stderr;
  if (!out) return 2;
  // Each function's truth is measured right before its traced calls, so a machine whose
  // speed drifts (other load) still compares like with like.
  uint64_t x = 0;
  int64_t traced = 0, c0;
  truth("pc_tiny", 20000, 500, 0);
  c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
  for (int i = 0; i < 20000; i++) x += pc_tiny(x);
  traced += clock_ns(CLOCK_THREAD_CPUTIME_ID) - c0;
  truth("pc_small", 4000, 5000, 0);
  c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
  for (int i = 0; i < 4000; i++) x += pc_small(x);
  traced += clock_ns(CLOCK_THREAD_CPUTIME_ID) - c0;
  truth("pc_mid", 300, 100000, 0);
  c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
  for (int i = 0; i < 300; i++) x += pc_mid(x);
  traced += clock_ns(CLOCK_THREAD_CPUTIME_ID) - c0;
  truth("pc_big", 10, 10000000, 0);
  c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
  for (int i = 0; i < 10; i++) x += pc_big(x);
  traced += clock_ns(CLOCK_THREAD_CPUTIME_ID) - c0;
  truth("pc_sleep", 10, 0, 1);
  c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
  for (int i = 0; i < 10; i++) x += pc_sleep(x);
  traced += clock_ns(CLOCK_THREAD_CPUTIME_ID) - c0;
  truth("pc_parent", 100, 50000, 0);  // its own work besides the pc_small calls
  c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
  for (int i = 0; i < 100; i++) x += pc_parent(x);
  traced += clock_ns(CLOCK_THREAD_CPUTIME_ID) - c0;
  fprintf(out, "traced-phase cpu_ns=%lld\n", (long long)traced);
  fflush(out);
  printf("percall done %llu\n", (unsigned long long)((x + sink) & 0xff));
  return 0;
}
