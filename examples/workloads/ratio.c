// ratio: three CPU-bound functions doing 6:3:1 of the work (ground truth for the sampler).
// hot60 runs 6 units, warm30 3 units, cool10 1 unit; each unit is the same loop, so the
// flat CPU share of each function is 60 / 30 / 10 %. Total about 1-1.5 s.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define UNIT 8000000ULL

static volatile uint64_t sink;

// GCC 12 gives a leaf function that needs no stack no frame, even with
// -mno-omit-leaf-frame-pointer, and frame-pointer stacks then lose its caller.
// One call to this makes each hot function a non-leaf, so it keeps its frame.
__attribute__((noinline)) void keep_frame(void) { __asm__ volatile(""); }

// Each function does its own loop (no shared callee) so flat time lands in it.
__attribute__((noinline)) uint64_t hot60(uint64_t units, uint64_t seed) {
  keep_frame();
  uint64_t x = seed + 1;
  for (uint64_t i = 0; i < units * 6 * UNIT; i++) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    x ^= x >> 29;
  }
  return x;
}

__attribute__((noinline)) uint64_t warm30(uint64_t units, uint64_t seed) {
  keep_frame();
  uint64_t x = seed + 2;
  for (uint64_t i = 0; i < units * 3 * UNIT; i++) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    x ^= x >> 29;
  }
  return x;
}

__attribute__((noinline)) uint64_t cool10(uint64_t units, uint64_t seed) {
  keep_frame();
  uint64_t x = seed + 3;
  for (uint64_t i = 0; i < units * 1 * UNIT; i++) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    x ^= x >> 29;
  }
  return x;
}

int main(int argc, char **argv) {
  uint64_t units = argc > 1 ? strtoull(argv[1], NULL, 10) : 1;
  // Interleave so that a partial run still keeps the ratio.
  for (int round = 0; round < 10; round++) {
    // The round number as seed keeps GCC from hoisting the (pure) calls out of the loop.
    sink += hot60(units, (uint64_t)round);
    sink += warm30(units, (uint64_t)round);
    sink += cool10(units, (uint64_t)round);
  }
  printf("ratio done %llu\n", (unsigned long long)(sink & 0xff));
  return 0;
}
