// deepchain: a known call chain of 10 frames through a shared library, built without frame
// pointers: main -> chain_a -> chain_b -> chain_c -> via_inline (inlined into chain_c)
// -> chain_d -> lib_level1 -> lib_level2 -> lib_level3 -> lib_spin (libdeepchain.so). Nearly all samples land in lib_spin, so
// the chain must appear intact in (nearly) every sample. About 1 s.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

uint64_t lib_level1(uint64_t n, uint64_t seed);

static volatile uint64_t sink;

__attribute__((noinline)) uint64_t chain_d(uint64_t n, uint64_t seed) {
  uint64_t r = lib_level1(n, seed + 4);
  sink += r;
  return r ^ 4;
}

// Always inlined into chain_c: symbolization must expand it from chain_c's call site.
static inline __attribute__((always_inline)) uint64_t via_inline(uint64_t n, uint64_t seed) {
  uint64_t r = chain_d(n, seed);
  sink += r >> 1;
  return r;
}

__attribute__((noinline)) uint64_t chain_c(uint64_t n, uint64_t seed) {
  uint64_t r = via_inline(n, seed + 3);
  sink += r;
  return r ^ 3;
}

__attribute__((noinline)) uint64_t chain_b(uint64_t n, uint64_t seed) {
  uint64_t r = chain_c(n, seed + 2);
  sink += r;
  return r ^ 2;
}

__attribute__((noinline)) uint64_t chain_a(uint64_t n, uint64_t seed) {
  uint64_t r = chain_b(n, seed + 1);
  sink += r;
  return r ^ 1;
}

int main(int argc, char **argv) {
  uint64_t units = argc > 1 ? strtoull(argv[1], NULL, 10) : 1;
  for (uint64_t round = 0; round < 20 * units; round++) sink += chain_a(20000000, round);
  printf("deepchain done %llu\n", (unsigned long long)(sink & 0xff));
  return 0;
}
