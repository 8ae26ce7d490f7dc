// partslow: two CPU-bound functions with the same work, one of them made PCT percent longer by
// --slowdown PCT, the other unchanged: the ground truth of differential flame graphs
// (`export svg --diff`: only `slowed`'s frames may be red and significant).
// Usage: partslow [--slowdown PCT]   (each function is about 150 ms of CPU)
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UNITS 90000000ULL

static volatile uint64_t sink;

__attribute__((noinline)) void keep_frame(void) { __asm__ volatile(""); }


// Each function loops itself (no shared callee) so its self time is its own.
__attribute__((noinline)) uint64_t steady(void) {
  keep_frame();
  uint64_t x = 3;
  for (uint64_t i = 0; i < UNITS; i++) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    x ^= x >> 29;
  }
  return x;
}

__attribute__((noinline)) uint64_t slowed(double pct) {
  keep_frame();
  uint64_t n = (uint64_t)((double)UNITS * (1.0 + pct / 100.0));
  uint64_t x = 5;
  for (uint64_t i = 0; i < n; i++) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    x ^= x >> 29;
  }
  return x;
}

int main(int argc, char **argv) {
  double pct = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--slowdown") == 0 && i + 1 < argc) {
      pct = strtod(argv[++i], NULL);
    } else {
      fprintf(stderr, "usage: partslow [--slowdown PCT]\n");
      return 2;
    }
  }
  if (pct < 0 || pct > 1000) {
    fprintf(stderr, "partslow: PCT must be 0..1000\n");
    return 2;
  }
  sink = steady() ^ slowed(pct);
  return 0;
}
