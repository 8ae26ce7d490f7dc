// slowdown: a fixed amount of CPU-bound work, made PCT percent longer by --slowdown PCT.
// The A/B workload of scripts/bench-gate: `slowdown` vs `slowdown --slowdown 2` differ only
// in the loop count of `work` (+2 %), so a gate that flags it found a real 2 % regression.
// Usage: slowdown [--slowdown PCT] [--units N]   (one unit is about 10 ms of CPU; default 10 units)
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UNIT 6000000ULL

static volatile uint64_t sink;

__attribute__((noinline)) void keep_frame(void) { __asm__ volatile(""); }

__attribute__((noinline)) uint64_t work(uint64_t iterations) {
  keep_frame();
  uint64_t x = 1;
  for (uint64_t i = 0; i < iterations; i++) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    x ^= x >> 29;
  }
  return x;
}

int main(int argc, char **argv) {
  double pct = 0;
  uint64_t units = 10;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--slowdown") == 0 && i + 1 < argc) {
      pct = strtod(argv[++i], NULL);
    } else if (strcmp(argv[i], "--units") == 0 && i + 1 < argc) {
      units = strtoull(argv[++i], NULL, 10);
    } else {
      fprintf(stderr, "usage: slowdown [--slowdown PCT] [--units N]\n");
      return 2;
    }
  }
  if (pct < 0 || pct > 1000) {
    fprintf(stderr, "slowdown: PCT must be 0..1000\n");
    return 2;
  }
  uint64_t iterations = (uint64_t)((double)(units * UNIT) * (1.0 + pct / 100.0));
  sink = work(iterations);
  return 0;
}
