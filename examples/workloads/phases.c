// phases: a run whose cost moves over time (ground truth for the heatmap's sparkline over
// time). phase_a does all of the first half of the work and phase_b all of the second half,
// the same loop and the same amount each, so phase_a's self time lies in the first half of
// the run and phase_b's in the second. Each phase is 200 calls of one chunk. About 0.6 s.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define CHUNK 600000ULL
#define CALLS 200

static volatile uint64_t sink;

// One call keeps each hot function a non-leaf (GCC 12 omits a leaf's frame; see ratio.c).
__attribute__((noinline)) void keep_frame(void) { __asm__ volatile(""); }

__attribute__((noinline)) uint64_t phase_a(uint64_t units, uint64_t seed) {
  keep_frame();
  uint64_t x = seed + 1;
  for (uint64_t i = 0; i < units * CHUNK; i++) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    x ^= x >> 29;
  }
  return x;
}

__attribute__((noinline)) uint64_t phase_b(uint64_t units, uint64_t seed) {
  keep_frame();
  uint64_t x = seed + 2;
  for (uint64_t i = 0; i < units * CHUNK; i++) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    x ^= x >> 29;
  }
  return x;
}

int main(int argc, char **argv) {
  uint64_t units = argc > 1 ? strtoull(argv[1], NULL, 10) : 1;
  // The call number as seed keeps GCC from hoisting the (pure) calls out of the loop.
  for (uint64_t i = 0; i < CALLS; i++) sink += phase_a(units, i);
  for (uint64_t i = 0; i < CALLS; i++) sink += phase_b(units, i);
  printf("phases done %llu\n", (unsigned long long)(sink & 0xff));
  return 0;
}
