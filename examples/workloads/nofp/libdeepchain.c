// libdeepchain: the shared-library half of deepchain's known call chain
// (lib_level1 -> lib_level2 -> lib_level3 -> lib_spin), built -O2 -fomit-frame-pointer.
#include <stdint.h>

static volatile uint64_t lib_sink;

// The leaf: all the CPU time of deepchain is spent here.
__attribute__((noinline)) uint64_t lib_spin(uint64_t n, uint64_t seed) {
  uint64_t x = seed | 1;
  for (uint64_t i = 0; i < n; i++) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    x ^= x >> 29;
  }
  return x;
}

// Each level uses its callee's result after the call, so no call becomes a tail call.
__attribute__((noinline)) uint64_t lib_level3(uint64_t n, uint64_t seed) {
  uint64_t r = lib_spin(n, seed + 3);
  lib_sink += r;
  return r ^ 3;
}

__attribute__((noinline)) uint64_t lib_level2(uint64_t n, uint64_t seed) {
  uint64_t r = lib_level3(n, seed + 2);
  lib_sink += r;
  return r ^ 2;
}

__attribute__((noinline)) uint64_t lib_level1(uint64_t n, uint64_t seed) {
  uint64_t r = lib_level2(n, seed + 1);
  lib_sink += r;
  return r ^ 1;
}
