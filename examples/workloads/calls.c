// calls: exact call counts for tracing. inner() is called exactly 40,000 times
// (outer() runs 400 times and calls inner() 100 times each); recurse() is called
// exactly 1,000 times (50 chains of depth 20: the kernel stops hijacking returns beyond
// 64 nested uretprobe instances per thread). Every call does a fixed amount of work:
// inner() INNER_WORK iterations, outer() OUTER_WORK iterations of its own besides its
// inner() calls, so outer's own share of its total is OUTER_WORK / (OUTER_WORK +
// INNER_PER_OUTER * INNER_WORK) = 1/2.
// `calls N [M]` sets inner()'s work to N and outer()'s own work to M iterations (`calls 0 0`
// makes calls as fast as probes allow, for benchmarks); counts stay the same. The run's own
// wall time goes to stderr as `calls elapsed NS ns` and its CPU time as `calls cpu NS ns`,
// so benchmarks can time the target without tool start-up.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define OUTER_CALLS 400
#define INNER_PER_OUTER 100
#define RECURSE_CHAINS 50
#define RECURSE_DEPTH 20
#define INNER_WORK 4000
#define OUTER_WORK 400000

static volatile uint64_t sink;
static int inner_work = INNER_WORK;
static int outer_work = OUTER_WORK;

// GCC 12 gives a leaf function that needs no stack no frame, even with
// -mno-omit-leaf-frame-pointer, and frame-pointer stacks then lose its caller.
// One call to this makes each work function a non-leaf, so it keeps its frame.
__attribute__((noinline)) void keep_frame(void) { __asm__ volatile(""); }

__attribute__((noinline)) uint64_t inner(uint64_t seed) {
#ifndef NO_KEEP_FRAME  // without it, -O2 makes inner() a leaf whose first instruction is RIP-relative
  keep_frame();
#endif
  uint64_t x = seed;
  for (int i = 0; i < inner_work; i++) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    x ^= x >> 29;
  }
  return x;
}

__attribute__((noinline)) uint64_t outer(uint64_t seed) {
  uint64_t x = seed;
  for (int i = 0; i < outer_work; i++) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    x ^= x >> 29;
  }
  for (int i = 0; i < INNER_PER_OUTER; i++) x += inner(x + (uint64_t)i);
  return x;
}

__attribute__((noinline)) uint64_t recurse(int depth, uint64_t seed) {
  uint64_t x = seed;
  for (int i = 0; i < 1000; i++) x = x * 2862933555777941757ULL + 3037000493ULL;
  if (depth > 1) x += recurse(depth - 1, x);
  sink += x & 1;  // keeps the call from being a tail call
  return x;
}

static int64_t clock_ns(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t now_ns(void) { return clock_ns(CLOCK_MONOTONIC); }

int main(int argc, char **argv) {
  if (argc > 1) inner_work = atoi(argv[1]);
  if (argc > 2) outer_work = atoi(argv[2]);
  int64_t start = now_ns(), cpu_start = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
  for (int i = 0; i < OUTER_CALLS; i++) sink += outer((uint64_t)i);
  for (int i = 0; i < RECURSE_CHAINS; i++) sink += recurse(RECURSE_DEPTH, (uint64_t)i);
  printf("calls done %llu\n", (unsigned long long)(sink & 0xff));
  fprintf(stderr, "calls elapsed %lld ns\n", (long long)(now_ns() - start));
  fprintf(stderr, "calls cpu %lld ns\n", (long long)(clock_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu_start));
  return 0;
}
